package policies

import "gyre/reactor"

// bufferer is a transport that says how much of what was written waits
// unsent in its buffer, and lets its high and low water marks be set:
// *reactor.Conn, *reactor.TLSConn and the transports that wrap them.
type bufferer interface {
	Buffered() int
	SetWriteBufferLimits(high, low int)
}

// bufferedThrottled is the throttle's transport over a connection that is
// a bufferer: the same transport, with those two methods passed through.
// A protocol asks its transport for them to tell what has really left
// (a poem server's record of a client cut off counts only that) and to
// pace itself by its buffer (a slow poem server registers as a producer
// only once output is left waiting); hidden, the first counted everything
// written as sent and the second never paused. It is a type of its own,
// not two more methods of throttled, so that a transport that cannot say
// what it buffers still looks so to the protocol (which may then pace
// itself from its first write, as protocols/wire does).
type bufferedThrottled struct {
	throttled
	buf bufferer
}

// Buffered implements what the connection's Buffered does.
func (t *bufferedThrottled) Buffered() int { return t.buf.Buffered() }

// SetWriteBufferLimits implements what the connection's does.
func (t *bufferedThrottled) SetWriteBufferLimits(high, low int) {
	t.buf.SetWriteBufferLimits(high, low)
}

// newThrottled returns the transport state of one throttled connection,
// and the transport to hand its protocol over t (see transportFor).
func newThrottled(f *Throttle) *bufferedThrottled {
	return &bufferedThrottled{throttled: throttled{f: f}}
}

// transportFor sets the connection's transport to t and returns what its
// protocol gets: a bufferer when t is one. One allocation serves both.
func (b *bufferedThrottled) transportFor(t reactor.Transport) reactor.Transport {
	c := &b.throttled
	c.Transport, c.tcpBeneath = t, tcpOf(t)
	if buf, ok := t.(bufferer); ok {
		b.buf = buf
		return b
	}
	return c
}

var _ reactor.TCPTransport = (*bufferedThrottled)(nil)
