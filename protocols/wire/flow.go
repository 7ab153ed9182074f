package wire

import "gyre/reactor"

// backlogger is the part of a transport that tells how much written
// output waits unsent (*reactor.Conn has it).
type backlogger interface {
	Buffered() int
}

// flow paces a connection's reading by its own write buffer. The zero
// value is ready; a protocol calls check after each write it makes.
type flow struct {
	registered bool
}

// check registers t as its own push producer the first time output is
// left in its buffer, so that the buffer's high water mark pauses the
// reading. A transport that cannot say what it buffers is registered at
// the first call.
func (f *flow) check(t reactor.Transport) {
	if f.registered {
		return
	}
	if b, ok := t.(backlogger); ok && b.Buffered() == 0 {
		return
	}
	f.registered = true
	// An error means a producer is registered already (someone else
	// paces this connection) or the connection has ended: either way
	// there is nothing for us to do.
	_ = t.RegisterProducer(t, true)
}
