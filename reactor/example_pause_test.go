package reactor_test

import (
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"gyre/reactor"
)

// oneAtATime serves one connection at a time on a port that cannot refuse
// the others cleanly: while it serves, the port accepts nobody, and the
// clients beyond wait in the kernel's listen queue.
type oneAtATime struct {
	reactor.BaseProtocol
	port  *reactor.Port
	n     int
	ended func(n int)
}

func (p *oneAtATime) ConnectionMade() {
	p.port.PauseAccepting()
	fmt.Printf("serving client %d; accepting: %v\n", p.n, !p.port.Paused())
	p.Transport.Write([]byte("a poem\n"))
	p.Transport.LoseConnection()
}

func (p *oneAtATime) ConnectionLost(error) {
	fmt.Printf("client %d served\n", p.n)
	p.port.ResumeAccepting() // the next client in the queue is accepted
	p.ended(p.n)
}

// A server at its limit over a Unix socket, which cannot reset a
// connection (a refused client would read a clean end, as if the message
// were whole): it stops accepting instead, and resumes when a connection
// ends. Three clients connect at once; they are served in turn.
func ExamplePort_PauseAccepting() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "one.sock")

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	const clients = 3
	var port *reactor.Port
	accepted := 0
	ended := func(n int) {
		if n == clients {
			r.Stop()
		}
	}
	port, err = r.ListenUnix(path, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		accepted++
		return &oneAtATime{port: port, n: accepted, ended: ended}
	}))
	if err != nil {
		log.Fatal(err)
	}
	for range clients {
		client := &reactor.BaseClientFactory{}
		client.Protocol = func() reactor.Protocol { return &reactor.BaseProtocol{} }
		r.ConnectUnix(path, client, 5*time.Second)
	}
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// serving client 1; accepting: false
	// client 1 served
	// serving client 2; accepting: false
	// client 2 served
	// serving client 3; accepting: false
	// client 3 served
}
