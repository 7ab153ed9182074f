package portforward

import (
	"errors"

	"gyre/reactor"
)

// Side is the protocol on one of a relay's two connections: what it
// receives it writes to the other side's transport.
type Side struct {
	reactor.BaseProtocol

	peer   *Side
	conn   *reactor.Conn // the transport, when it is a TCP connection
	lost   bool
	err    error
	onLost func(s *Side)

	// Relayed counts the bytes this side received and wrote to its peer.
	Relayed int64
	// MaxPeerBuffered is the most bytes that waited in the peer's write
	// buffer right after a relayed read (for a TCP peer): with flow
	// control working, at most the peer's high water mark plus one read.
	MaxPeerBuffered int
}

// MakeConnection keeps the transport.
func (s *Side) MakeConnection(t reactor.Transport) {
	s.BaseProtocol.MakeConnection(t)
	s.conn, _ = t.(*reactor.Conn)
}

// link makes a and b each other's peer and each other's producer: a's
// buffer paces what is read from b, and b's what is read from a.
func link(a, b *Side) {
	a.peer, b.peer = b, a
	a.Transport.RegisterProducer(b.Transport, true)
	b.Transport.RegisterProducer(a.Transport, true)
}

// DataReceived relays data to the peer.
func (s *Side) DataReceived(data []byte) {
	p := s.peer
	if p == nil || p.lost {
		return
	}
	s.Relayed += int64(len(data))
	p.Transport.Write(data)
	if p.conn != nil {
		s.MaxPeerBuffered = max(s.MaxPeerBuffered, p.conn.Buffered())
	}
}

// ReadConnectionLost passes a half-close through: the peer's write side is
// shut once what was relayed to it has been sent.
func (s *Side) ReadConnectionLost() {
	p := s.peer
	if p == nil || p.lost {
		s.Transport.LoseConnection()
		return
	}
	if tcp, ok := p.Transport.(reactor.TCPTransport); ok {
		tcp.LoseWriteConnection()
		return
	}
	p.Transport.LoseConnection()
}

// ConnectionLost ends the peer: cleanly (once what was relayed to it has
// been sent) if this side ended cleanly, with an abort otherwise.
func (s *Side) ConnectionLost(reason error) {
	s.lost = true
	if !errors.Is(reason, reactor.ErrConnectionDone) {
		s.err = reason
	}
	if p := s.peer; p != nil && !p.lost {
		p.Transport.UnregisterProducer()
		if s.err != nil {
			p.Transport.AbortConnection()
		} else {
			p.Transport.LoseConnection()
		}
	}
	if s.onLost != nil {
		s.onLost(s)
	}
}

// Err returns why this side's connection ended if it was not a clean
// close (nil while it is open or after a clean end).
func (s *Side) Err() error { return s.err }

// Peer returns the other side (nil until both are connected).
func (s *Side) Peer() *Side { return s.peer }

var _ reactor.HalfCloseableProtocol = (*Side)(nil)
