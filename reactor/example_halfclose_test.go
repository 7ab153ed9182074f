package reactor_test

import (
	"fmt"
	"log"
	"net"
	"strings"
	"time"

	"gyre/reactor"
)

// Shouter answers a whole request, however long, once the client has
// finished sending it: the client says "finished" by shutting its write
// side. Having a ReadConnectionLost method makes Shouter a
// HalfCloseableProtocol, so the reactor keeps the connection open for the
// answer instead of ending it at the client's end of stream.
type Shouter struct {
	reactor.BaseProtocol
	request []byte
}

func (s *Shouter) DataReceived(data []byte) {
	s.request = append(s.request, data...) // data is only lent: copy it
}

// ReadConnectionLost is called, on the loop, when the peer has shut its
// write side; this side may still write.
func (s *Shouter) ReadConnectionLost() {
	fmt.Println("server: request complete")
	s.Transport.Write([]byte(strings.ToUpper(string(s.request))))
	s.Transport.LoseConnection()
}

// Asker sends its request, then shuts its write side with
// LoseWriteConnection (a method of reactor.TCPTransport, which TCP
// connections implement) and goes on reading the answer.
type Asker struct {
	PoemClient
}

func (a *Asker) ConnectionMade() {
	a.Transport.Write([]byte("a request without a length\n"))
	a.Transport.(reactor.TCPTransport).LoseWriteConnection()
}

// WriteConnectionLost is optional: it says that what was written has
// been sent and the write side is shut.
func (a *Asker) WriteConnectionLost() { fmt.Println("client: write side shut") }

// A request whose end is the client's end of stream (shutdown(SHUT_WR)),
// and an answer on the same connection: a half-close. A protocol without
// ReadConnectionLost would instead lose the connection with
// ErrConnectionDone at the client's end of stream.
func ExampleHalfCloseableProtocol() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &Shouter{}
	}))
	if err != nil {
		log.Fatal(err)
	}
	client := &reactor.BaseClientFactory{}
	client.Protocol = func() reactor.Protocol { return &Asker{*printingPoemClient(r)} }
	r.ConnectTCP(port.Addr().String(), client, 5*time.Second)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// client: write side shut
	// server: request complete
	// A REQUEST WITHOUT A LENGTH
	// lost: Connection was closed cleanly.
}
