package reactor_test

import (
	"fmt"
	"net"
	"time"

	"gyre/protocols/policies"
	"gyre/reactor"
	"gyre/task"
)

// Chatter is a server's own protocol, with state the server wants back.
type Chatter struct {
	reactor.BaseProtocol
	Nick string
}

// A policy wraps each protocol its factory builds, so a connection's
// protocol is the wrapper; ProtocolAs finds the server's own beneath it,
// as a server walking Reactor.Connections would.
func ExampleProtocolAs() {
	clock := task.NewClock()
	f := &policies.IdleTimeout{Clock: clock, Period: time.Minute,
		Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &Chatter{Nick: "ada"} })}
	p := f.BuildProtocol(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000})

	_, direct := p.(*Chatter)
	c, found := reactor.ProtocolAs[*Chatter](p)
	fmt.Println("the connection's protocol is a *Chatter:", direct)
	fmt.Println("found beneath the wrapper:", found, c.Nick)
	fmt.Println("innermost is the same one:", reactor.InnerProtocol(p) == c)
	// Output:
	// the connection's protocol is a *Chatter: false
	// found beneath the wrapper: true ada
	// innermost is the same one: true
}
