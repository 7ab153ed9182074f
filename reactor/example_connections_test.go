package reactor_test

import (
	"fmt"
	"log"
	"net"
	"time"

	"gyre/reactor"
)

// Waiter is a server protocol that sends nothing: its clients wait.
type Waiter struct{ reactor.BaseProtocol }

// Cutting every client off at once, as a server does when its grace
// period runs out: the loop lists its open connections, so the server
// keeps no set of its own. Each client sees a reset (an abort), not a
// clean end.
func ExampleReactor_Connections() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &Waiter{}
	}))
	if err != nil {
		log.Fatal(err)
	}
	lost := 0
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol {
		return &PoemClient{done: func(_ []byte, reason error) {
			fmt.Println("client:", reason)
			if lost++; lost == 2 {
				r.Stop()
			}
		}}
	}
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	// Once both are connected: 2 server sides and 2 client sides.
	var cut func()
	cut = func() {
		conns := r.Connections()
		if len(conns) < 4 {
			r.CallLater(10*time.Millisecond, cut)
			return
		}
		fmt.Println("open:", len(conns))
		for _, c := range conns {
			if c.Host().String() == port.Addr().String() { // the server's sides
				c.AbortConnection()
			}
		}
	}
	r.CallLater(0, cut)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// open: 4
	// client: Connection to the other side was lost in a non-clean fashion: Connection reset by peer.
	// client: Connection to the other side was lost in a non-clean fashion: Connection reset by peer.
}
