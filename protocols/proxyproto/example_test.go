package proxyproto_test

import (
	"fmt"
	"io"
	"net"
	"time"

	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// A port behind a load balancer: each connection's PROXY header is read
// first, and the protocol that serves it sees the client's own address.
func ExampleNewFactory() {
	r, _ := reactor.New()
	defer r.Close()
	greet := reactor.FactoryFunc(func(client net.Addr) reactor.Protocol {
		return &hello{} // writes "hello CLIENT" and closes
	})
	port, _ := r.ListenTCP("127.0.0.1:0", proxyproto.NewFactory(r, greet,
		proxyproto.WithTimeout(2*time.Second),
		proxyproto.WithRejectObserver(func(rj proxyproto.Rejected) {
			fmt.Println("rejected:", proxyproto.Reason(rj.Err))
		})))
	go func() {
		// What the balancer sends ahead of the client's bytes.
		c, _ := net.Dial("tcp", port.Addr().String())
		fmt.Fprint(c, "PROXY TCP4 203.0.113.7 127.0.0.1 4242 10000\r\n")
		b, _ := io.ReadAll(c)
		c.Close()
		fmt.Print(string(b))
		r.Stop()
	}()
	r.Run()
	// Output: hello 203.0.113.7:4242
}
