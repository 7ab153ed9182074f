package portforward_test

import (
	"fmt"
	"io"
	"log"
	"net"

	"gyre/protocols/portforward"
	"gyre/reactor"
)

// A port forwarder in front of a server: the client talks to the
// forwarder's port and is answered by the server behind it; the half-close
// that ends the request and the server's close that ends the answer both
// pass through.
func ExampleFactory() {
	// The server behind the forwarder: reads a request to its end, answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		req, _ := io.ReadAll(c)
		fmt.Fprintf(c, "server got %q", req)
		c.Close()
	}()

	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	var report string
	f := &portforward.Factory{Reactor: r, Target: ln.Addr().String(),
		Ended: func(client, server *portforward.Side, err error) {
			report = fmt.Sprintf("relay over: %d bytes up, %d down, error %v", client.Relayed, server.Relayed, err)
			r.Stop()
		}}
	port, err := r.ListenTCP("127.0.0.1:0", f)
	if err != nil {
		log.Fatal(err)
	}
	answer := make(chan string)
	go func() {
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			answer <- err.Error()
			return
		}
		defer c.Close()
		c.Write([]byte("hello through the relay"))
		c.(*net.TCPConn).CloseWrite()
		b, _ := io.ReadAll(c)
		answer <- string(b)
	}()
	r.Run() // until the relay is over: both directions ended
	fmt.Printf("client got %s\n%s\n", <-answer, report)
	// Output:
	// client got server got "hello through the relay"
	// relay over: 23 bytes up, 36 down, error <nil>
}
