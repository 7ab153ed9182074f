package reactor_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"

	"gyre/reactor"
)

// Counter is a push producer: it writes numbered lines as fast as the
// connection takes them, stops when the connection's buffer passes its
// high water mark (PauseProducing) and goes on when it has drained
// (ResumeProducing). It never buffers more than the mark plus one line,
// however slowly the client reads.
type Counter struct {
	reactor.BaseProtocol
	next, last int
	paused     bool
}

func (c *Counter) ConnectionMade() {
	if tcp, ok := c.Transport.(*reactor.Conn); ok {
		tcp.SetWriteBufferLimits(4096, 1024) // small marks, to show the pacing
	}
	c.Transport.RegisterProducer(c, true) // true: a push (streaming) producer
	c.produce()
}

func (c *Counter) produce() {
	for !c.paused && c.next <= c.last {
		c.Transport.Write(fmt.Appendf(nil, "line %d\n", c.next))
		c.next++
	}
	if c.next > c.last {
		c.Transport.UnregisterProducer()
		c.Transport.LoseConnection()
	}
}

func (c *Counter) PauseProducing()  { c.paused = true }
func (c *Counter) ResumeProducing() { c.paused = false; c.produce() }
func (c *Counter) StopProducing()   { c.next = c.last + 1 } // the client left

// A push producer paced by the connection's write buffer: 100,000 lines
// pass through a buffer of a few kilobytes.
func ExampleTransport_RegisterProducer() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &Counter{next: 1, last: 100000}
	}))
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			return
		}
		defer c.Close()
		b, err := io.ReadAll(c)
		fmt.Printf("client: %d bytes, error %v\n", len(b), err)
	}()
	r.Run()
	// Output:
	// client: 1088895 bytes, error <nil>
}

// pullOnly is a pull producer: it has no PauseProducing.
type pullOnly struct{}

func (pullOnly) ResumeProducing() {}
func (pullOnly) StopProducing()   {}

// A Transport written outside package reactor starts its RegisterProducer
// with CheckProducer, so that it refuses what the reactor's connections
// refuse.
func ExampleCheckProducer() {
	fmt.Println(reactor.CheckProducer(pullOnly{}, false))
	err := reactor.CheckProducer(pullOnly{}, true)
	fmt.Println(errors.Is(err, reactor.ErrNotPushProducer))
	fmt.Println(reactor.CheckProducer(nil, false))
	// Output:
	// <nil>
	// true
	// reactor: nil producer
}
