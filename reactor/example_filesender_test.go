package reactor_test

import (
	"errors"
	"fmt"
	"strings"

	"gyre/deferred"
	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// A FileSender on anything that is not a TCP connection (here a test
// double) is a pull producer: it reads one chunk each time the consumer
// asks, which a connection does whenever its buffer has drained, so a slow
// reader never makes it hold more than a chunk. The StringTransport asks
// only when told to, which shows each step.
func ExampleFileSender() {
	t := reactortest.NewStringTransport()
	s := reactor.FileSender{ChunkSize: 16}
	d := s.BeginFileTransfer(strings.NewReader("The kettle sings,\nthe window fogs.\n"), t)
	d.AddCallback(func(n any) (any, error) {
		fmt.Printf("sent %d bytes (%T)\n", n, n)
		return nil, nil
	})

	_, streaming := t.Producer()
	fmt.Println("registered, streaming:", streaming, "written:", len(t.Value()))
	for {
		p, _ := t.Producer()
		if p == nil {
			break // the transfer has ended and unregistered itself
		}
		p.ResumeProducing() // the buffer drained: one more chunk
	}
	fmt.Printf("%q\n", t.Writes())
	// Output:
	// registered, streaming: false written: 0
	// sent 35 bytes (int64)
	// ["The kettle sings" ",\nthe window fog" "s.\n"]
}

// A transfer whose connection goes away fails with a *TransferError that
// says how much was sent, and matches ErrProducerStopped.
func ExampleFileSender_BeginFileTransfer() {
	t := reactortest.NewStringTransport()
	s := reactor.FileSender{ChunkSize: 8}
	s.BeginFileTransfer(strings.NewReader("a poem longer than the reader's patience"), t).
		AddErrback(func(f *deferred.Failure) (any, error) {
			var te *reactor.TransferError
			if errors.As(f, &te) {
				fmt.Println("sent before the end:", te.Sent)
			}
			fmt.Println(errors.Is(f, reactor.ErrProducerStopped))
			return nil, nil
		})
	p, _ := t.Producer()
	p.ResumeProducing()
	p.ResumeProducing()
	t.ResetPeer() // the reader hangs up: the connection stops its producer
	// Output:
	// sent before the end: 16
	// true
}
