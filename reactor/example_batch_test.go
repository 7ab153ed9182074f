package reactor_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"gyre/reactor"
)

// upper answers each read with the same bytes in capitals.
type upper struct{ reactor.BaseProtocol }

func (u *upper) DataReceived(data []byte) {
	out := make([]byte, len(data))
	for i, b := range data {
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		out[i] = b
	}
	u.Transport.Write(out) // sent with the turn's other answers
}

// A request/response server whose answers of one turn go to the kernel
// together. The protocol is written as for any reactor: batching changes
// when the bytes are sent, not what the peer receives. Where the kernel
// has no io_uring the reactor writes each answer directly.
func ExampleWithBatchedIO() {
	r, err := reactor.New(reactor.WithBatchedIO(true))
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &upper{}
	}))
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.DialTimeout("tcp", port.Addr().String(), 5*time.Second)
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		const request = "the ladders put away"
		fmt.Fprint(c, request)
		answer := make([]byte, len(request))
		if _, err := io.ReadFull(c, answer); err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(answer))
	}()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output: THE LADDERS PUT AWAY
}
