package basic_test

import (
	"fmt"
	"strconv"
	"strings"

	"gyre/protocols/basic"
	"gyre/reactor/reactortest"
)

// Feed answers "count N" with the lines N down to 1, as fast as its peer
// reads them. It embeds LineReceiver for its input, whose PauseProducing
// and ResumeProducing pace reading; the producer of its output is a
// separate value, out, so that pausing the one never pauses the other.
type Feed struct {
	basic.LineReceiver
	out  feedWriter
	left int
}

// feedWriter is the push producer of what Feed writes: the transport
// pauses it when its buffer is full and resumes it when drained.
type feedWriter struct {
	f      *Feed
	paused bool
}

func (w *feedWriter) PauseProducing()  { w.paused = true }
func (w *feedWriter) ResumeProducing() { w.paused = false; w.f.writeMore() }
func (w *feedWriter) StopProducing()   { w.f.left = 0 }

func NewFeed() *Feed {
	f := &Feed{}
	f.Handler = f
	f.Delimiter = []byte("\n")
	f.out.f = f
	return f
}

func (f *Feed) ConnectionMade() {
	// Not RegisterProducer(f, true): the transport would then call the
	// methods f has from LineReceiver, which pause reading, not writing.
	f.Transport.RegisterProducer(&f.out, true)
}

func (f *Feed) LineReceived(line []byte) {
	n, err := strconv.Atoi(strings.TrimPrefix(string(line), "count "))
	if err != nil || n < 0 {
		f.SendLine([]byte("say: count N"))
		return
	}
	f.left = n
	f.writeMore()
}

// writeMore writes lines until the transport pauses the writer or none
// are left.
func (f *Feed) writeMore() {
	for !f.out.paused && f.left > 0 {
		f.SendLine(strconv.AppendInt(nil, int64(f.left), 10))
		f.left--
	}
}

// A protocol that embeds a framer and paces its own writes registers a
// separate producer value. Here its transport is a test double that holds
// what is written until the test drains it, with a high water mark of 5
// bytes: three two-byte lines pause the writer, while the framer goes on
// reading.
func ExampleLineReceiver_producer() {
	t := reactortest.NewStringTransport()
	t.HoldWrites = true
	t.SetWriteBufferLimits(5, 0)
	feed := NewFeed()
	t.Connect(feed)

	t.Receive([]byte("count 8\n"))
	for {
		held := t.String()[len(t.String())-t.Buffered():]
		fmt.Printf("held %q, writer paused: %v, reading paused: %v\n", held, t.ProducerPaused(), feed.Paused())
		if t.Buffered() == 0 {
			break
		}
		t.Drain(t.Buffered()) // the peer reads it all: the writer resumes
	}
	// Output:
	// held "8\n7\n6\n", writer paused: true, reading paused: false
	// held "5\n4\n3\n", writer paused: true, reading paused: false
	// held "2\n1\n", writer paused: false, reading paused: false
	// held "", writer paused: false, reading paused: false
}
