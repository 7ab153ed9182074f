package reactor_test

import (
	"bytes"
	"fmt"
	"log"
	"net"
	"time"

	"gyre/reactor"
)

// capsServer answers whatever it reads in capitals. A protocol embeds
// reactor.BaseProtocol, which keeps its Transport and gives it empty
// methods for the events it does not care about.
type capsServer struct{ reactor.BaseProtocol }

func (s *capsServer) DataReceived(data []byte) {
	s.Transport.Write(bytes.ToUpper(data))
}

// greetingClient sends one line, prints the answer once it has all of it,
// and hangs up; when the connection has ended it stops the reactor.
type greetingClient struct {
	reactor.BaseProtocol
	r      *reactor.Reactor
	answer []byte
}

func (c *greetingClient) ConnectionMade() {
	c.Transport.Write([]byte("hello, reactor\n"))
}

func (c *greetingClient) DataReceived(data []byte) {
	// data is lent for this call only, and TCP may cut the answer
	// anywhere: keep a copy until the end of the line has come.
	c.answer = append(c.answer, data...)
	if bytes.HasSuffix(c.answer, []byte("\n")) {
		fmt.Print("client got: ", string(c.answer))
		c.Transport.LoseConnection()
	}
}

func (c *greetingClient) ConnectionLost(reason error) {
	fmt.Println("client connection lost:", reason)
	c.r.Stop()
}

// A whole program on one reactor: a server listening on a port the system
// chooses, a client connecting to it, one exchange, then a stop. Nothing
// happens until Run; from then on every callback runs on the goroutine
// that called Run, one at a time, and Run returns once Stop is called.
func Example() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &capsServer{}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol { return &greetingClient{r: r} }
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)

	fmt.Println("running")
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("stopped")
	// Output:
	// running
	// client got: HELLO, REACTOR
	// client connection lost: Connection was closed cleanly.
	// stopped
}
