package reactortest

import (
	"bytes"
	"net"
	"syscall"
	"time"

	"gyre/reactor"
)

// Default addresses of a StringTransport, the ones Twisted's StringTransport
// uses: a peer on a private network and a host on another.
var (
	DefaultPeer = &net.TCPAddr{IP: net.IPv4(192, 168, 1, 1), Port: 54321}
	DefaultHost = &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 12345}
)

// ProducerState is what a StringTransport was last told as a producer of
// the data it receives (PauseProducing, ResumeProducing, StopProducing).
type ProducerState uint8

const (
	Producing ProducerState = iota
	Paused
	Stopped
)

func (s ProducerState) String() string {
	switch s {
	case Paused:
		return "paused"
	case Stopped:
		return "stopped"
	}
	return "producing"
}

// StringTransport is a reactor.Transport (a TCPTransport and an
// AcceptDelayer too) that keeps everything in memory. It records every
// write, in order, and the requests the protocol makes; it never ends the
// connection by itself: the test does, with ClosePeer, ResetPeer or
// Disconnect, and the protocol then hears ConnectionLost as it would from
// the reactor. Its peer reads everything at once, unless HoldWrites makes
// it read only what the test drains (Drain), for testing back-pressure.
//
// The zero value is ready to use, with DefaultPeer and DefaultHost as its
// addresses.
type StringTransport struct {
	// PeerAddr and HostAddr are what Peer and Host return (nil: the
	// defaults).
	PeerAddr, HostAddr net.Addr
	// Queued is what AcceptDelay returns: how long the connection is to
	// have waited in the listen queue.
	Queued time.Duration
	// Clock, if set, dates each write and the first request to close, for
	// protocols that write on a schedule (WriteTimes, ClosedAt).
	Clock reactor.Clock
	// HoldWrites makes the transport a peer that reads only when the test
	// says so, for testing back-pressure: what is written stays in its
	// buffer (Buffered) until Drain takes it, and a registered push
	// producer is paused and resumed by that buffer's water marks
	// (SetWriteBufferLimits), as a Conn paces one by the bytes its socket
	// has not taken. Without it the peer reads everything at once:
	// Buffered stays 0 and no producer is paused. Set it before the
	// protocol writes.
	HoldWrites bool

	writes        [][]byte
	times         []time.Time
	closedAt      time.Time
	proto         reactor.Protocol
	disconnecting bool
	aborted       bool
	writeClosed   bool
	writeHeld     bool // LoseWriteConnection in ConnectionMade, held until it returns
	readClosed    bool // ClosePeer on a protocol that takes half-closes
	setup         bool // inside Connect: MakeConnection, ConnectionMade
	lost          bool
	lostReason    error
	producer      reactor.Producer
	streaming     bool
	state         ProducerState
	held          int  // written bytes not drained yet (HoldWrites)
	shutWaits     bool // LoseWriteConnection waits for Drain or the producer (drained)
	high, low     int  // water marks; 0, 0: reactor's defaults
	pacedPaused   bool // the push producer was paused by the buffer
	noDelay       bool
	keepAlive     bool

	// onLost runs after the protocol's ConnectionLost (a client
	// connection tells its connector).
	onLost func(reason error)
}

// NewStringTransport returns a StringTransport with the default addresses.
func NewStringTransport() *StringTransport { return &StringTransport{} }

// Connect attaches p to the transport as the reactor does for a new
// connection: p.MakeConnection(t), then p.ConnectionMade().
func (t *StringTransport) Connect(p reactor.Protocol) {
	t.proto = p
	t.during(func() {
		p.MakeConnection(t)
		p.ConnectionMade()
	})
}

// during runs the setup of a connection (MakeConnection, ConnectionMade),
// then what the reactor holds back until it is over: the write side shut
// by a LoseWriteConnection made in ConnectionMade, whose later writes
// were still taken. If ConnectionMade also asked to close, the reactor
// closes once all is sent and never shuts the write side alone: no
// WriteConnectionLost.
func (t *StringTransport) during(setup func()) {
	t.setup = true
	setup()
	t.setup = false
	if t.writeHeld {
		t.writeHeld, t.writeClosed = false, true
		if !t.disconnecting {
			t.shutWrite()
		}
	}
}

// Protocol returns the protocol attached by Connect.
func (t *StringTransport) Protocol() reactor.Protocol { return t.proto }

// Write records a copy of data, unless the connection was aborted or has
// ended, or its write side is shut (the reactor drops such writes too).
// Writes made after LoseWriteConnection while it waits for the buffer or
// a producer are still taken, as a Conn takes them until the shut.
func (t *StringTransport) Write(data []byte) {
	if len(data) == 0 || t.aborted || t.lost || (t.writeClosed && !t.shutWaits) {
		return
	}
	t.writes = append(t.writes, bytes.Clone(data))
	if t.Clock != nil {
		t.times = append(t.times, t.Clock.Now())
	}
	if t.HoldWrites {
		t.held += len(data)
		t.pauseIfFull()
	}
}

// WriteTimes returns the time of each write on Clock, one per Writes entry
// (nil without a Clock).
func (t *StringTransport) WriteTimes() []time.Time { return t.times }

// ClosedAt returns when LoseConnection or AbortConnection was first
// called, on Clock, and whether either was (the time is zero without a
// Clock).
func (t *StringTransport) ClosedAt() (time.Time, bool) {
	return t.closedAt, t.disconnecting || t.aborted
}

func (t *StringTransport) markClosed() {
	if !t.disconnecting && !t.aborted && t.Clock != nil {
		t.closedAt = t.Clock.Now()
	}
}

// WriteSequence records the slices as one write, as if concatenated.
func (t *StringTransport) WriteSequence(data [][]byte) {
	t.Write(bytes.Join(data, nil))
}

// Value returns everything written so far, concatenated.
func (t *StringTransport) Value() []byte { return bytes.Join(t.writes, nil) }

// String returns Value as a string.
func (t *StringTransport) String() string { return string(t.Value()) }

// Writes returns the writes so far, one slice per Write or WriteSequence.
func (t *StringTransport) Writes() [][]byte { return t.writes }

// Clear forgets the writes so far. It forgets the record only: what
// HoldWrites keeps in the buffer stays there until Drain takes it.
func (t *StringTransport) Clear() { t.writes, t.times = nil, nil }

// LoseConnection records the request; Disconnect then delivers the end.
func (t *StringTransport) LoseConnection() {
	t.markClosed()
	t.disconnecting = true
}

// AbortConnection records the request; later writes are dropped, and
// Disconnect delivers the end.
func (t *StringTransport) AbortConnection() {
	t.markClosed()
	t.aborted = true
}

// Disconnecting implements reactor.Transport: LoseConnection (or
// StopProducing) or AbortConnection has been called, or the connection has
// ended. Aborted tells an abort apart.
func (t *StringTransport) Disconnecting() bool { return t.disconnecting || t.aborted || t.lost }

// Aborted reports whether AbortConnection was called.
func (t *StringTransport) Aborted() bool { return t.aborted }

// Peer returns PeerAddr, or DefaultPeer.
func (t *StringTransport) Peer() net.Addr {
	if t.PeerAddr != nil {
		return t.PeerAddr
	}
	return DefaultPeer
}

// Host returns HostAddr, or DefaultHost.
func (t *StringTransport) Host() net.Addr {
	if t.HostAddr != nil {
		return t.HostAddr
	}
	return DefaultHost
}

// AcceptDelay returns Queued (reactor.AcceptDelayer).
func (t *StringTransport) AcceptDelay() time.Duration { return t.Queued }

// RegisterProducer records p. It refuses what a real connection refuses
// (reactor.CheckProducer: no producer, or a streaming one that cannot
// pause); a second producer fails with
// reactor.ErrProducerRegistered, and on an ended connection p is stopped
// at once, as on a real connection. With HoldWrites, a push producer is
// paused at once if the buffer is already over the high water mark, as a
// Conn does. Nothing calls a pull producer by itself: the test calls
// Producer's ResumeProducing, as the reactor would each time the buffer
// drains.
func (t *StringTransport) RegisterProducer(p reactor.Producer, streaming bool) error {
	if err := reactor.CheckProducer(p, streaming); err != nil {
		return err
	}
	if t.producer != nil {
		return reactor.ErrProducerRegistered
	}
	if t.lost {
		p.StopProducing()
		return nil
	}
	t.producer, t.streaming, t.pacedPaused = p, streaming, false
	t.pauseIfFull()
	return nil
}

// UnregisterProducer forgets the producer. A LoseWriteConnection that
// waited for it (see drained) shuts the write side now if nothing is held;
// a LoseConnection's end is Disconnect's to deliver, as ever.
func (t *StringTransport) UnregisterProducer() {
	t.producer, t.streaming, t.pacedPaused = nil, false, false
	t.shutIfWaitedFor()
}

// drained reports whether a close may go ahead, by a Conn's rule (and
// Twisted's): the buffer is empty (Drain took every byte held), and no
// producer is still to write: a pull producer, or a push producer the
// buffer paused, holds the close until it unregisters; a push producer
// that is producing does not, and the end stops it.
func (t *StringTransport) drained() bool {
	return t.held == 0 && (t.producer == nil || (t.streaming && !t.pacedPaused))
}

// shutIfWaitedFor shuts the write side that a LoseWriteConnection left
// waiting, once drained, unless LoseConnection was called meanwhile: a
// Conn then closes once drained, without shutting the write side alone.
func (t *StringTransport) shutIfWaitedFor() {
	if t.shutWaits && t.drained() {
		t.shutWaits = false
		if !t.disconnecting {
			t.shutWrite()
		}
	}
}

// Producer returns the registered producer (nil if none) and whether it
// was registered as a push producer.
func (t *StringTransport) Producer() (reactor.Producer, bool) { return t.producer, t.streaming }

// PauseProducing records that the protocol asked to stop reading.
func (t *StringTransport) PauseProducing() {
	if t.state != Stopped {
		t.state = Paused
	}
}

// ResumeProducing records that the protocol asked to read again.
func (t *StringTransport) ResumeProducing() {
	if t.state != Stopped {
		t.state = Producing
	}
}

// StopProducing records the request and loses the connection, as a
// connection does.
func (t *StringTransport) StopProducing() {
	t.state = Stopped
	t.LoseConnection()
}

// ProducerState returns what the transport was last told as a producer.
func (t *StringTransport) ProducerState() ProducerState { return t.state }

// LoseWriteConnection shuts the write side, as a real connection does
// once its buffer has drained: here at once (with HoldWrites, once Drain
// has taken the last byte held; with a producer that holds a close, once
// it has unregistered: see Disconnect), and the protocol's
// WriteConnectionLost method, if it has one, is then called; writes made
// after the shut are dropped. Called in ConnectionMade, it waits, as the reactor's does,
// until ConnectionMade has returned: writes made there after it are kept,
// and a LoseConnection made there after it or before it closes the
// connection without WriteConnectionLost. If the peer's
// side had ended already (ClosePeer on a HalfCloseableProtocol), both
// sides are now shut: the connection is to close as after LoseConnection,
// and Disconnect delivers ConnectionLost(reactor.ErrConnectionDone).
func (t *StringTransport) LoseWriteConnection() {
	if t.writeClosed || t.writeHeld || t.lost || t.aborted {
		return
	}
	if t.setup {
		t.writeHeld = true
		return
	}
	t.writeClosed = true
	t.shutWrite()
}

// shutWrite is the write side's end, once LoseWriteConnection may go
// ahead.
func (t *StringTransport) shutWrite() {
	if t.lost || t.aborted {
		return
	}
	if !t.drained() {
		// As a Conn shuts its write side once its output has gone:
		// Drain finishes this when it has taken the last byte, or
		// UnregisterProducer when the producer is done.
		t.shutWaits = true
		return
	}
	if wl, ok := t.proto.(interface{ WriteConnectionLost() }); ok {
		wl.WriteConnectionLost()
	}
	if t.readClosed {
		t.LoseConnection()
	}
}

// WriteClosed reports whether LoseWriteConnection was called.
func (t *StringTransport) WriteClosed() bool { return t.writeClosed || t.writeHeld }

// SetNoDelay records the setting (NoDelay tells it).
func (t *StringTransport) SetNoDelay(on bool) error { t.noDelay = on; return nil }

// NoDelay reports the last SetNoDelay.
func (t *StringTransport) NoDelay() bool { return t.noDelay }

// SetKeepAlive records the setting.
func (t *StringTransport) SetKeepAlive(on bool) error { t.keepAlive = on; return nil }

// SetKeepAlivePeriod accepts any period.
func (t *StringTransport) SetKeepAlivePeriod(time.Duration) error { return nil }

// Receive hands data to the protocol's DataReceived, as the reactor does
// after a read. The protocol gets a copy that is overwritten once
// DataReceived returns, as the reactor reuses its read buffer: a protocol
// that keeps the slice instead of copying it fails its test here too.
// Data is not delivered (Receive reports whether it was) to a connection
// that has ended, that is paused, or whose protocol has called
// LoseConnection or AbortConnection: a real connection stops reading at
// once then, and drops what arrives, so a protocol never hears from its
// peer after asking to close.
func (t *StringTransport) Receive(data []byte) bool {
	if t.proto == nil || t.lost || t.disconnecting || t.aborted || t.readClosed || t.state != Producing {
		return false
	}
	buf := bytes.Clone(data)
	t.proto.DataReceived(buf)
	for i := range buf {
		buf[i] = 0xee
	}
	return true
}

// ClosePeer is the peer's clean end of stream. As the reactor does, it
// ends the connection, ConnectionLost(reactor.ErrConnectionDone), unless
// the protocol takes half-closes (a reactor.HalfCloseableProtocol, and a
// reactor.HalfCloseSelector that accepts them now) and still reads and
// writes: it then hears ReadConnectionLost, no more data is delivered, and
// the connection stays open for writing until the protocol closes it
// (LoseConnection, or LoseWriteConnection) or the test ends it. A second
// ClosePeer after a half-close does nothing: the stream has ended once.
func (t *StringTransport) ClosePeer() {
	if t.readClosed || t.lost {
		return
	}
	if hc, ok := t.takesHalfClose(); ok {
		t.readClosed = true
		hc.ReadConnectionLost()
		return
	}
	t.EndConnection(reactor.ErrConnectionDone)
}

// takesHalfClose returns the protocol's ReadConnectionLost side if the
// reactor would hand it the peer's end of stream now: the protocol has
// one (and accepts it, if it decides while running), its write side is
// not shut yet (a LoseWriteConnection waiting for Drain has not shut it,
// as a Conn's waiting for its output has not), and it has not asked to
// close.
func (t *StringTransport) takesHalfClose() (reactor.HalfCloseableProtocol, bool) {
	if (t.writeClosed && !t.shutWaits) || t.disconnecting || t.aborted {
		return nil, false
	}
	hc, ok := t.proto.(reactor.HalfCloseableProtocol)
	if s, sel := hc.(reactor.HalfCloseSelector); sel && !s.AcceptsHalfClose() {
		return nil, false
	}
	return hc, ok
}

// ReadClosed reports whether the peer's side has ended while the
// connection stays open (ClosePeer on a protocol that takes half-closes).
func (t *StringTransport) ReadClosed() bool { return t.readClosed }

// ResetPeer ends the connection as when the peer resets it:
// ConnectionLost with a *reactor.ConnectionLostError wrapping ECONNRESET.
func (t *StringTransport) ResetPeer() {
	t.EndConnection(&reactor.ConnectionLostError{Err: syscall.ECONNRESET})
}

// Disconnect delivers the end the protocol asked for:
// ConnectionLost(reactor.ErrConnectionAborted) after AbortConnection,
// ConnectionLost(reactor.ErrConnectionDone) after LoseConnection. It
// reports whether it did (it does nothing otherwise). The end of a
// LoseConnection waits, as a Conn's close waits for its output, until
// every byte has gone (with HoldWrites, until Drain has taken them) and a
// registered pull producer (or a push producer the buffer paused) has
// unregistered: until then Disconnect does nothing and reports false. A
// push producer that is producing does not hold the close: the end stops
// it, as a Conn's does.
func (t *StringTransport) Disconnect() bool {
	switch {
	case t.aborted:
		t.EndConnection(reactor.ErrConnectionAborted)
	case t.disconnecting && t.drained():
		t.EndConnection(reactor.ErrConnectionDone)
	default:
		return false
	}
	return true
}

// EndConnection ends the connection with reason, once, as the reactor
// does: a registered producer is stopped, then the protocol hears
// ConnectionLost(reason).
func (t *StringTransport) EndConnection(reason error) {
	if t.lost {
		return
	}
	t.lost, t.lostReason = true, reason
	if p := t.producer; p != nil {
		t.producer, t.pacedPaused = nil, false
		p.StopProducing()
	}
	if t.proto != nil {
		t.proto.ConnectionLost(reason)
	}
	if t.onLost != nil {
		t.onLost(reason)
	}
}

// Lost reports whether the connection has ended, and the reason the
// protocol was given.
func (t *StringTransport) Lost() (bool, error) { return t.lost, t.lostReason }

var (
	_ reactor.TCPTransport  = (*StringTransport)(nil)
	_ reactor.AcceptDelayer = (*StringTransport)(nil)
)
