package wire_test

import (
	"fmt"
	"io"
	"net"

	"gyre/protocols/wire"
	"gyre/reactor"
)

// talk runs a reactor serving f on a loopback port, and a plain Go client
// that writes send and reads back want bytes.
func talk(f reactor.Factory, send string, want int) {
	r, _ := reactor.New()
	defer r.Close()
	port, _ := r.ListenTCP("127.0.0.1:0", f, reactor.WithNoDelay())
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(send))
		got := make([]byte, want)
		if _, err := io.ReadFull(c, got); err == nil {
			fmt.Printf("%q\n", got)
		}
	}()
	r.Run()
}

// An echo server: what the client writes comes back.
func ExampleEchoFactory() {
	talk(wire.EchoFactory{}, "ping", 4)
	// Output: "ping"
}

// A line server: every whole line is answered; the partial one waits for
// its end.
func ExampleLineEchoFactory() {
	talk(&wire.LineEchoFactory{}, "one\ntwo\nthr", 8)
	// Output: "one\ntwo\n"
}
