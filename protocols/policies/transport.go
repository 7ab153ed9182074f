package policies

import (
	"errors"
	"time"

	"gyre/protocols/internal/loop"
	"gyre/reactor"
)

// tcpBeneath gives a policy's own transport, which stands in front of the
// connection's, the TCP methods of the one beneath (reactor.TCPTransport),
// so that a protocol that sets TCP options or shuts its write side works
// the same with the policy around it. Embed it next to reactor.Transport.
type tcpBeneath struct {
	transport reactor.Transport
	tcp       reactor.TCPTransport // nil when the connection is not TCP
	counter   reactor.WriteCounter // nil when the transport counts no writes
}

func tcpOf(t reactor.Transport) tcpBeneath {
	tcp, _ := t.(reactor.TCPTransport)
	return tcpBeneath{transport: t, tcp: tcp, counter: reactor.WriteCounterOf(t)}
}

// WriteCount implements reactor.WriteCounter with the count of the
// transport beneath (0 for ever where it counts nothing), so that an
// IdleTimeout around the policy sees the writes made through it.
func (b tcpBeneath) WriteCount() uint32 {
	if b.counter == nil {
		return 0
	}
	return b.counter.WriteCount()
}

var errNotTCP = errors.New("policies: not a TCP connection")

// LoseWriteConnection shuts the write side (the whole connection when it
// is not TCP).
func (b tcpBeneath) LoseWriteConnection() {
	if b.tcp != nil {
		b.tcp.LoseWriteConnection()
		return
	}
	b.transport.LoseConnection()
}

// Reactor returns the reactor of the connection beneath, or nil if it does
// not say: a policy wrapped inside this one, given no Clock, uses it.
func (b tcpBeneath) Reactor() *reactor.Reactor { return loop.Of(b.transport) }

// SetNoDelay implements reactor.TCPTransport.
func (b tcpBeneath) SetNoDelay(on bool) error {
	if b.tcp == nil {
		return errNotTCP
	}
	return b.tcp.SetNoDelay(on)
}

// SetKeepAlive implements reactor.TCPTransport.
func (b tcpBeneath) SetKeepAlive(on bool) error {
	if b.tcp == nil {
		return errNotTCP
	}
	return b.tcp.SetKeepAlive(on)
}

// SetKeepAlivePeriod implements reactor.TCPTransport.
func (b tcpBeneath) SetKeepAlivePeriod(d time.Duration) error {
	if b.tcp == nil {
		return errNotTCP
	}
	return b.tcp.SetKeepAlivePeriod(d)
}
