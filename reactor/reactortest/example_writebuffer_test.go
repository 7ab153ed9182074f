package reactortest_test

import (
	"fmt"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// countdown is a push producer: from ResumeProducing it writes one line
// after another until it is paused or has written them all, then
// unregisters and closes.
type countdown struct {
	t      reactor.Transport
	left   int
	paused bool
}

func (c *countdown) PauseProducing() { c.paused = true }
func (c *countdown) StopProducing()  { c.left = 0 }

func (c *countdown) ResumeProducing() {
	c.paused = false
	for !c.paused && c.left > 0 {
		c.t.Write(fmt.Appendf(nil, "%d left\n", c.left)) // 7 bytes
		c.left--
	}
	if c.left == 0 {
		c.t.UnregisterProducer()
		c.t.LoseConnection()
	}
}

// Back-pressure without a socket: with HoldWrites, what the producer
// writes stays in the transport's buffer until the test drains it, as
// the peer reading it would. Past the high water mark (here 20 bytes) the
// producer is paused; once Drain brings the buffer down to the low mark
// (7 bytes) it is resumed, within the call, and writes again.
func ExampleStringTransport_Drain() {
	t := reactortest.NewStringTransport()
	t.HoldWrites = true
	t.SetWriteBufferLimits(20, 7)
	c := &countdown{t: t, left: 9}
	if err := t.RegisterProducer(c, true); err != nil {
		fmt.Println(err)
		return
	}
	c.ResumeProducing()
	report := func(what string) {
		fmt.Printf("%s: held %d, lines to go %d, paused %v\n", what, t.Buffered(), c.left, t.ProducerPaused())
	}
	report("started")
	for t.Buffered() > 0 {
		t.Drain(7) // the peer reads a line
		report("read 7")
	}
	fmt.Printf("%d bytes written, closing: %v\n", len(t.Value()), t.Disconnecting())
	// Output:
	// started: held 21, lines to go 6, paused true
	// read 7: held 14, lines to go 6, paused true
	// read 7: held 21, lines to go 4, paused true
	// read 7: held 14, lines to go 4, paused true
	// read 7: held 21, lines to go 2, paused true
	// read 7: held 14, lines to go 2, paused true
	// read 7: held 21, lines to go 0, paused false
	// read 7: held 14, lines to go 0, paused false
	// read 7: held 7, lines to go 0, paused false
	// read 7: held 0, lines to go 0, paused false
	// 63 bytes written, closing: true
}
