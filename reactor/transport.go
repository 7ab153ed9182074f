package reactor

import (
	"net"
	"time"
)

// Transport is a protocol's side of a connection: how it writes, closes and
// learns about the other end. It is Twisted's ITransport, plus the producer
// half of IConsumer/IProducer for flow control. The TCP connection (*Conn)
// is the transport of every protocol the reactor runs; tests may supply
// their own.
//
// All methods belong to the loop goroutine.
type Transport interface {
	// Write sends data, in order, as soon as the socket takes it. It never
	// blocks and never fails: what the socket does not take now is copied
	// into a buffer and sent when the socket is writable again (data may
	// be reused as soon as Write returns). A write error ends the
	// connection (ConnectionLost says why). Writes after the connection
	// has ended are dropped.
	Write(data []byte)
	// WriteSequence writes several slices as if concatenated, with one
	// writev(2) when the socket takes them at once.
	WriteSequence(data [][]byte)
	// LoseConnection closes the connection once everything written so far
	// has been sent. Reading stops at once. ConnectionLost follows with
	// ErrConnectionDone. It is never called from inside LoseConnection. The
	// peer reads everything and then a clean end of stream, even if it is
	// still sending: a TCP or Unix connection that has written something and
	// heard from its peer shuts its write side and drops the peer's input
	// for a while before closing (a lingering close), so that the kernel has
	// no unread input to answer with a reset. A registered producer is
	// handled as in Twisted: a pull producer, or a push producer paused by
	// the buffer, is asked for more first and holds the close until it
	// unregisters; a push producer that is not paused does not hold it (the
	// close happens once the buffer drains, and the producer is then
	// stopped). LoseWriteConnection follows the same rule. The close
	// itself waits for the end of the loop's turn: what the same callback
	// writes after LoseConnection is still sent before it (over TLS too,
	// before the close_notify).
	LoseConnection()
	// AbortConnection closes the connection now: buffered data is
	// dropped, the peer gets a reset, and ConnectionLost follows with
	// ErrConnectionAborted. (A Unix stream socket has no reset: its peer
	// sees an end of stream, unless it had sent input left unread.)
	AbortConnection()
	// Disconnecting reports whether the connection is going away: true
	// from the moment LoseConnection, AbortConnection or StopProducing is
	// called (by anyone: the protocol, a wrapper, the transport itself on
	// a TLS close_notify), and once the connection has ended for any
	// reason; false before, and after LoseWriteConnection alone (reading
	// goes on). It never turns false again. A protocol that acts on input
	// already received checks it after each piece it handles, to drop the
	// rest once a handler decided to close: the line framers of
	// protocols/basic do, as Twisted's check transport.disconnecting.
	// Unlike Twisted's attribute, which abortConnection leaves false, it
	// is true after AbortConnection too.
	Disconnecting() bool
	// Peer is the other end's address, Host this end's (*net.TCPAddr for
	// TCP). A TCP or Unix connection makes its peer's address once and
	// returns that same value every time, as net.Conn's RemoteAddr does:
	// callers must not modify it.
	Peer() net.Addr
	Host() net.Addr

	// RegisterProducer makes p the source of this connection's output,
	// paced by the write buffer (see Producer). streaming says whether p
	// is a push producer (it must then be a PushProducer): pushed data
	// is paused above the high water mark and resumed below the low one.
	// A pull producer is asked for more (ResumeProducing) each time the
	// buffer is empty, unless it wrote nothing when last asked: it is then
	// asked again only after its next write. One producer at a time: registering a second one
	// fails with ErrProducerRegistered. On a connection that has ended,
	// p is stopped at once.
	RegisterProducer(p Producer, streaming bool) error
	// UnregisterProducer forgets the producer (it is not stopped).
	UnregisterProducer()

	// PauseProducing, ResumeProducing and StopProducing make the
	// transport a producer of the data it receives: pausing stops
	// reading from the socket (so the peer's sends eventually block),
	// resuming starts again, stopping loses the connection. A proxy
	// uses them to pace one connection by another's write buffer.
	PauseProducing()
	ResumeProducing()
	StopProducing()
}

// TCPTransport is the Transport of a TCP connection (Twisted's
// ITCPTransport). *Conn implements it.
type TCPTransport interface {
	Transport
	// LoseWriteConnection shuts the write side once the buffer has
	// drained (the peer reads end of file) and goes on reading.
	LoseWriteConnection()
	// SetNoDelay turns Nagle's algorithm off (true) or on (false):
	// TCP_NODELAY. The reactor leaves it on, as Twisted does: a fast
	// poem is one write, and setting it costs a system call per
	// connection.
	SetNoDelay(on bool) error
	// SetKeepAlive turns TCP keep-alive probes on or off (SO_KEEPALIVE);
	// SetKeepAlivePeriod sets the idle time before the first probe and
	// the interval between probes.
	SetKeepAlive(on bool) error
	SetKeepAlivePeriod(d time.Duration) error
}

// AcceptDelayer is a transport of an accepted connection that can tell how
// long the connection waited in the listen queue: the handshake was
// complete before the server got to accept it, so a server that promises
// something "from the moment the client connected" (the slow poetry
// server's schedule) counts from then. Where the system does not say
// (only Linux does, through TCP_INFO), AcceptDelay returns 0; the answer
// is meaningful only before the peer has sent anything, and is coarse (the
// kernel counts in clock ticks, see Conn.AcceptDelay): connections
// accepted one after the other may seem to have connected in another
// order. *Conn implements it.
type AcceptDelayer interface {
	AcceptDelay() time.Duration
}

// Consumer is something a producer writes into: Twisted's IConsumer. Every
// Transport is one.
type Consumer interface {
	Write(data []byte)
	RegisterProducer(p Producer, streaming bool) error
	UnregisterProducer()
}

// Producer is a source of data for a Consumer: Twisted's IPullProducer
// (and the base of IPushProducer).
//
// A pull producer writes a piece of its data to the consumer each time
// ResumeProducing is called (and unregisters itself when it has no more);
// the consumer calls it again when that piece has been sent. A pull
// producer that has nothing to give yet may write nothing: it is not asked
// again until it writes something of its own accord (as Twisted's
// transports stop writing until the next write), so a producer waiting for
// its data costs nothing meanwhile. StopProducing
// means the consumer is gone (its connection was lost): stop and release
// everything.
type Producer interface {
	ResumeProducing()
	StopProducing()
}

// PushProducer is a producer that writes whenever it likes until told to
// pause (Twisted's IPushProducer): the consumer calls PauseProducing when
// its buffer passes the high water mark and ResumeProducing when it has
// drained below the low one.
type PushProducer interface {
	Producer
	PauseProducing()
}
