package proxyproto_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"syscall"

	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// A client that reaches the port directly, past the balancer, sends no
// PROXY header: its connection is reset without reaching the inner
// factory, and the reject observer hears of it, on the loop, once the
// connection has ended. Reason names the kind of rejection for a metric
// label.
func ExampleWithRejectObserver() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	inner := reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		fmt.Println("never printed: the inner factory is not asked")
		return &hello{}
	})
	var rejected proxyproto.Rejected
	port, err := r.ListenTCP("127.0.0.1:0", proxyproto.NewFactory(r, inner,
		proxyproto.WithRejectObserver(func(rj proxyproto.Rejected) {
			rejected = rj
			r.Stop()
		})))
	if err != nil {
		log.Fatal(err)
	}
	clientErr := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			clientErr <- err
			return
		}
		defer c.Close()
		fmt.Fprint(c, "GET / HTTP/1.0\r\n\r\n")
		_, err = io.ReadAll(c)
		clientErr <- err
	}()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rejected:", proxyproto.Reason(rejected.Err), errors.Is(rejected.Err, proxyproto.ErrNoHeader))
	fmt.Println("client reset:", errors.Is(<-clientErr, syscall.ECONNRESET))
	// Output:
	// rejected: missing true
	// client reset: true
}
