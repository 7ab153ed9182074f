package policies_test

import (
	"fmt"
	"net"
	"time"

	"gyre/protocols/policies"
	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// quiet is a protocol that knows nothing of timeouts: it only says how its
// connection ended.
type quiet struct{ reactor.BaseProtocol }

func (q *quiet) ConnectionLost(reason error) { fmt.Println("lost:", reason) }

// IdleTimeout closes the connections of any protocol after a period with
// no input, and aborts one whose close hangs a period longer (its peer
// reads nothing, so what is buffered never drains). A StringTransport
// never finishes a close by itself, and a task.Clock moves time by hand:
// the example shows both steps without waiting.
func ExampleIdleTimeout() {
	clock := task.NewClock()
	start := clock.Now()
	idle := &policies.IdleTimeout{
		Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &quiet{} }),
		Clock:   clock,
		Period:  30 * time.Second,
		TimedOut: func(peer net.Addr) {
			fmt.Println("idle:", peer, "at", clock.Now().Sub(start))
		},
	}
	t := reactortest.NewStringTransport()
	t.Connect(idle.BuildProtocol(t.Peer()))

	clock.Advance(20 * time.Second)
	t.Receive([]byte("still here")) // input: the period starts again
	clock.Advance(29 * time.Second)
	fmt.Println("closing at 49s:", t.Disconnecting())
	clock.Advance(time.Second)
	fmt.Println("closing at 50s:", t.Disconnecting(), "aborted:", t.Aborted())
	clock.Advance(30 * time.Second)
	fmt.Println("aborted at 80s:", t.Aborted())
	t.Disconnect() // the reactor would now end the connection
	// Output:
	// closing at 49s: false
	// idle: 192.168.1.1:54321 at 50s
	// closing at 50s: true aborted: false
	// aborted at 80s: true
	// lost: Connection was aborted locally using ITCPTransport.abortConnection.
}
