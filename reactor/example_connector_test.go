package reactor_test

import (
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"gyre/reactor"
)

// watchingFactory prints what a connector tells its factory, and stops
// the reactor once the connection has ended.
type watchingFactory struct {
	reactor.BaseClientFactory
	r *reactor.Reactor
}

func (f *watchingFactory) StartedConnecting(c *reactor.Connector) {
	fmt.Println("started connecting:", c.State())
}

func (f *watchingFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	fmt.Println("failed:", reason, errors.Is(reason, reactor.ErrConnectCancelled))
}

func (f *watchingFactory) ClientConnectionLost(c *reactor.Connector, reason error) {
	fmt.Println("lost:", reason)
	f.r.Stop()
}

// disconnector hangs up through its connector as soon as it is connected.
type disconnector struct {
	reactor.BaseProtocol
	c *reactor.Connector
}

func (d *disconnector) ConnectionMade() {
	c := d.c
	fmt.Println("made:", c.State(), c.Transport() != nil)
	c.Disconnect() // connected: loses the connection, as LoseConnection
}

// The Connector that ConnectTCP returns is the handle on one outgoing
// connection for its whole life: StopConnecting abandons an attempt
// (the factory hears it before the call returns), Connect tries again,
// and Disconnect hangs up.
func ExampleConnector() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &reactor.BaseProtocol{}
	}))
	if err != nil {
		log.Fatal(err)
	}
	var c *reactor.Connector
	f := &watchingFactory{r: r}
	// Protocol runs once connected, from the loop: c is set by then.
	f.Protocol = func() reactor.Protocol { return &disconnector{c: c} }

	c = r.ConnectTCP(port.Addr().String(), f, 5*time.Second)
	fmt.Println("destination is the port:", c.Destination().String() == port.Addr().String())
	// The attempt has only started: the outcome would come from the loop.
	c.StopConnecting()
	fmt.Println("after StopConnecting:", c.State())
	c.Connect() // a new attempt on the same connector
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("at the end:", c.State())
	// Output:
	// started connecting: connecting
	// destination is the port: true
	// failed: User aborted connection. true
	// after StopConnecting: disconnected
	// started connecting: connecting
	// made: connected true
	// lost: Connection was closed cleanly.
	// at the end: disconnected
}
