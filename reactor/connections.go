package reactor

// Connections returns the stream connections open on the loop: every TCP
// and Unix connection that has been made and not yet closed, whether it is
// reading, writing, both or paused (a TLS connection is listed as the TCP
// connection under it). A connection is listed from the moment its
// protocol's ConnectionMade has returned. The order is unspecified.
//
// It is meant for the rare paths that act on every connection at once (a
// server that cuts its clients off when its grace period runs out aborts
// each one), so that a server need not keep its own set of connections,
// which would cost memory and bookkeeping per connection for something
// done once. It walks the descriptor table and allocates the slice it
// returns; do not call it per event. Call it on the loop goroutine.
func (r *Reactor) Connections() []*Conn {
	r.checkLoop("Connections")
	var out []*Conn
	open := func(d FileDescriptor) {
		if c, ok := d.(*Conn); ok && c.flags&(fClosed|fConnecting) == 0 {
			out = append(out, c)
		}
	}
	for fd := range r.slots.size() {
		s := r.slots.at(fd)
		if s.internal {
			continue
		}
		// A connection is the reader, the writer or both of its own fd:
		// listing either once is enough.
		if s.reader != nil {
			open(s.reader)
		} else if s.writer != nil {
			open(s.writer)
		}
	}
	for d := range r.held {
		// Held descriptors are watched for nothing, so none of them is
		// in the table as well.
		open(d)
	}
	return out
}
