package reactor

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"

	"gyre/deferred"
)

// TLSConn is a TLS connection on the reactor: the Transport of a protocol
// whose bytes travel encrypted over a TCP (or Unix) connection. ListenTLS,
// ConnectTLS, the tls: endpoints and Conn.StartTLS make them.
//
// The TLS itself is crypto/tls's, unchanged: a tls.Conn runs over a memory
// BIO (see tlsBIO) instead of the socket, and the *Conn under it does the
// I/O on the loop, as for plain TCP. The handshake runs on a goroutine of
// its own, bridged to the loop, because crypto/tls's handshake cannot be
// resumed after a "would block"; the records after it are decrypted and
// encrypted on the loop, so the protocol's callbacks run on the loop
// goroutine, in TCP's order:
//
//   - MakeConnection and ConnectionMade run when the TCP connection is up,
//     before the handshake (as in Twisted); what the protocol writes
//     before the handshake is over is kept and sent right after it.
//   - DataReceived gets plaintext, as it is decrypted: one call per
//     record at most. The slice is valid during the call only.
//   - ConnectionLost comes once: ErrConnectionDone after a clean close in
//     either direction (close_notify), ErrConnectionAborted after
//     AbortConnection, a *TLSError when TLS failed (the handshake, a bad
//     record, a stream cut without close_notify, the handshake timeout),
//     or the TCP connection's reason.
//
// Flow control is TCP's: the encrypted output waits in the TCP
// connection's write buffer, whose water marks pace a registered producer
// (registered on the TCP connection once the handshake is over; a push
// producer is paused until then); PauseProducing stops reading from the
// socket, and nothing is decrypted while paused. What WriteShared is
// given waits as plaintext and is encrypted only as that buffer drains
// below its high water mark, so a peer that does not read holds about
// that much of records, not an encrypted copy of everything written.
// LoseConnection sends everything written, then a close_notify, then
// closes.
//
// Allocation: writing allocates nothing per Write once the handshake is
// over (the records are gathered in a buffer of the loop's). Reading is
// not allocation-free, and cannot be without a fork of crypto/tls: each
// time its record layer needs more ciphertext (readFromUntil) it wraps
// the BIO in a small reader (atLeastReader) that escapes to the heap:
// about one allocation per socket read. The decrypted plaintext itself
// goes into a buffer of the loop's.
//
// Like every reactor object, a TLSConn belongs to the loop goroutine. The
// handshake alone runs on a goroutine of its own (crypto/tls drives it with
// blocking calls): the tls.Config's callbacks (GetCertificate,
// GetConfigForClient, VerifyPeerCertificate, VerifyConnection...) run
// there, alongside the loop and other handshakes. They must be safe for
// concurrent use and reach the reactor only through CallFromGoroutine.
type TLSConn struct {
	conn   *Conn
	app    Protocol
	tc     *tls.Conn
	bio    tlsBIO
	server bool

	state    uint8
	paused   bool // the protocol paused reading
	choked   bool // reading paused by us: the handshake has enough input
	closing  bool // LoseConnection: close_notify once everything is written
	queued   bool // the close_notify waits for the end of the turn (tlsCloser)
	shutting bool // LoseWriteConnection: close_notify and the TCP write side's shutdown once everything is written
	notified bool // the protocol's ConnectionLost has run
	peerDone bool // close_notify received

	queue     tlsQueue // plaintext not encrypted yet: see tlsQueue
	producer  Producer // the protocol's; on the TCP connection as tlsFeed once the handshake is over
	stream    bool
	held      bool   // we paused the protocol's push producer (the handshake, the buffer)
	refilling bool   // refill is running: a write it causes only queues
	shutSent  bool   // LoseWriteConnection's close_notify has been written
	writes    uint32 // the protocol's writes (WriteCount), in the bools' padding

	err     error // why TLS failed, for ConnectionLost
	timer   *DelayedCall
	resumed *DelayedCall // the delivery after ResumeProducing, kept and rearmed
	pumpFn  func()       // t.pumpContained, bound once
	timeout time.Duration
	onDone  func(error) // handshake outcome, for tests and clients that wait
}

const (
	tlsHandshaking uint8 = iota
	tlsOpen
	tlsEnded
)

// DefaultTLSHandshakeTimeout bounds a TLS handshake when no other timeout
// is given: a peer that stops half-way (or never sends its hello) is cut
// off with a *TLSError wrapping ErrTLSHandshakeTimeout.
const DefaultTLSHandshakeTimeout = 10 * time.Second

// maxHandshakeInput bounds the ciphertext held while the handshake runs;
// past it the socket is not read until the handshake has taken it all
// (see tlsBIO.unchoke) or is over.
const maxHandshakeInput = 128 << 10

// newTLSConn puts a TLS layer between c and app; it starts when c's
// protocol (the layer) is started.
func newTLSConn(c *Conn, app Protocol, config *tls.Config, server bool, timeout time.Duration) *TLSConn {
	t := &TLSConn{conn: c, app: app, server: server, timeout: timeout}
	if timeout == 0 {
		t.timeout = DefaultTLSHandshakeTimeout
	}
	t.bio.init(t)
	if server {
		t.tc = tls.Server(&t.bio, config)
	} else {
		t.tc = tls.Client(&t.bio, config)
	}
	return t
}

// lower is the TLS layer seen from the TCP connection: its Protocol.
func (t *TLSConn) lower() *tlsLower { return (*tlsLower)(t) }

// start begins the handshake, then hands the protocol its transport.
func (t *TLSConn) start() {
	if t.timeout > 0 {
		t.timer = t.conn.r.CallLater(t.timeout, t.handshakeTimedOut)
	}
	go t.handshake()
	t.app.MakeConnection(t)
	t.app.ConnectionMade()
}

// handshake runs on its own goroutine; the outcome goes back to the loop.
// crypto/tls calls the configuration's callbacks (VerifyPeerCertificate,
// GetCertificate...) on this goroutine: a panic in one is recovered here,
// where nothing else would catch it, and fails the handshake.
func (t *TLSConn) handshake() {
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = deferred.NewFailureFromPanic(p)
			}
		}()
		err = t.tc.Handshake()
	}()
	t.conn.r.CallFromGoroutine(func() { t.handshakeDone(err) })
}

// unchoke reads the socket again during the handshake, which has taken
// all the input it was given and needs more (see tlsBIO.unchoke).
func (t *TLSConn) unchoke() {
	if t.state != tlsHandshaking || !t.choked {
		return
	}
	t.choked = false
	if !t.paused {
		t.conn.ResumeProducing()
	}
}

func (t *TLSConn) handshakeTimedOut() {
	t.timer = nil
	if t.state == tlsHandshaking {
		t.fail(&TLSError{Op: "handshake", Err: ErrTLSHandshakeTimeout}, true)
	}
}

// handshakeDone runs on the loop when the handshake's goroutine is done.
func (t *TLSConn) handshakeDone(err error) {
	if t.state != tlsHandshaking {
		return // the connection ended meanwhile
	}
	if t.timer != nil {
		t.timer.Cancel()
		t.timer = nil
	}
	if f, panicked := err.(*deferred.Failure); panicked {
		t.conn.r.logFailure(f, t.conn)
		t.fail(&TLSError{Op: "handshake", Err: err}, true)
		return
	}
	if err != nil {
		// crypto/tls has queued its alert (through the loop, before this
		// call): a clean close lets it reach the peer.
		t.fail(&TLSError{Op: "handshake", Err: err}, false)
		return
	}
	t.bio.toSync()
	t.state = tlsOpen
	if t.onDone != nil {
		t.onDone(nil)
	}
	t.refill()
	if err := t.attach(); err != nil {
		t.producer, t.held = nil, false // the plaintext connection's producer is still there
	} else if t.stream && t.producer != nil && !t.conn.extra.producerPaused {
		// Paused until now; resumed unless what was written during the
		// handshake fills the buffer already (the TCP connection resumes
		// it as that drains).
		t.feed().ResumeProducing()
	}
	if t.choked {
		t.choked = false
		if !t.paused {
			t.conn.ResumeProducing()
		}
	}
	t.pumpContained() // what arrived behind the handshake
	t.closeIfUnheld()
}

// fail ends the connection because TLS failed; abort says whether to
// reset it (a timeout) or close it cleanly (after an alert).
func (t *TLSConn) fail(err error, abort bool) {
	if t.state == tlsEnded {
		return
	}
	if t.err == nil {
		t.err = err
	}
	if t.onDone != nil && t.state == tlsHandshaking {
		t.onDone(err)
	}
	t.state = tlsEnded // the queue stays, unsent, for Buffered (see ConnectionLost)
	t.bio.close()
	if abort {
		t.conn.AbortConnection()
	} else {
		t.conn.LoseConnection()
	}
}

// pumpContained pumps from a turn of the loop's own (the end of the
// handshake, a resume), not from the TCP connection's DoRead: a panic in
// the protocol ends the connection as it would there.
func (t *TLSConn) pumpContained() {
	var err error
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.conn.r.contained(deferred.NewFailureFromPanic(v), t.conn, &err)
			}
		}()
		t.pump()
		t.bio.keep()
	}()
	if err != nil && t.conn.flags&fNotified == 0 {
		t.conn.r.disconnect(int(t.conn.fd), t.conn, err, false)
	}
}

// pump decrypts what the BIO holds and delivers it, until it needs more
// ciphertext, the protocol pauses or closes, or the stream ends. Reading
// stops at LoseConnection, as on a TCP connection: the records that came
// in the same read as the one the protocol closed on are not delivered.
// The same holds when the TCP connection underneath is closed or aborted
// directly (through Conn). crypto/tls's Read allocates a little each time
// it asks the BIO for more (see TLSConn).
func (t *TLSConn) pump() {
	buf := t.conn.r.tlsPlainBuffer()
	for t.state == tlsOpen && !t.paused && !t.peerDone && !t.closing && !t.conn.Disconnecting() {
		n, err := t.tc.Read(buf)
		if n > 0 {
			t.app.DataReceived(buf[:n])
		}
		switch {
		case err == nil:
			continue
		case err == errWouldBlock:
			return
		case err == io.EOF && !t.bio.eofReturned:
			// close_notify: the peer is done sending. A half-closeable
			// protocol goes on writing (TLS 1.3's close_notify closes
			// one direction only, as a client's CloseWrite does: the
			// poetry servers finish the poem); another is answered with
			// our close_notify once everything written has gone.
			t.peerDone = true
			if hc, ok := halfCloseable(t.app); ok {
				hc.ReadConnectionLost()
				return
			}
			t.LoseConnection()
			return
		case err == io.EOF:
			t.fail(&TLSError{Op: "read", Err: ErrTLSTruncated}, true)
			return
		default:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			t.fail(&TLSError{Op: "read", Err: err}, true)
			return
		}
	}
}

// tlsLinger bounds how long a closed TLS connection goes on reading (and
// dropping) what the peer still sends after our close_notify.
const tlsLinger = time.Second

// closeNow sends close_notify and shuts the TCP write side once its buffer
// has drained, then reads and drops the peer's input until it closes its
// side too (its close_notify and end of stream), for at most tlsLinger.
// Closing at once would make the kernel answer a peer still sending (a
// client that talks while it reads the poem) with a reset, which throws
// away the end of the poem still unread on its side.
func (t *TLSConn) closeNow() {
	t.state = tlsEnded
	t.tc.CloseWrite()
	t.bio.closed = true
	if p := t.producer; p != nil {
		// A push producer that did not hold the close: it can write
		// nothing more, and is told so now rather than have its writes
		// dropped until the TCP connection ends.
		t.producer, t.held = nil, false
		t.conn.UnregisterProducer()
		t.conn.r.call(p.StopProducing)
	}
	if t.peerDone || t.conn.flags&fReadClosed != 0 {
		t.conn.LoseConnection()
		return
	}
	t.conn.LoseWriteConnection()
	t.timer = t.conn.r.CallLater(tlsLinger, func() {
		t.timer = nil
		t.conn.LoseConnection()
	})
}

// Write implements Transport: the data is encrypted into records at once,
// unless it must wait behind plaintext that waits already (written during
// the handshake, or shared: see WriteShared): it is then copied into the
// queue, and goes in its turn. After the handshake the queue is paced as
// the TCP connection's buffer is: a Write into it encrypts what the
// buffer has room for, so that a push producer writing there is paused
// once the buffer is over its high water mark. What is written after
// LoseConnection or LoseWriteConnection while the close_notify is held
// back (by the handshake, or by a producer: see LoseConnection), or later
// in the same turn of the loop (the close_notify waits for its end, as a
// TCP connection's close does), is sent before it. Once the close_notify
// is written nothing can follow it in the TLS stream: a later Write is
// dropped, as a Write on a Conn that has closed is, and a push producer
// still registered then is stopped first.
func (t *TLSConn) Write(data []byte) {
	if len(data) == 0 || t.state == tlsEnded || t.shutSent {
		return // nothing can follow a close_notify
	}
	t.writes++
	switch {
	case t.state == tlsHandshaking:
		t.queue.add(data)
	case t.queue.n > 0:
		t.queue.add(data)
		if !t.refilling {
			// What waits is paced by the buffer's water marks, as if it
			// had been written there: encrypted while the buffer is
			// under the high mark, and the producer paused once it is
			// over. A producer whose writes only ever went into the
			// queue would never be paused, however much it wrote.
			t.sendQueued()
		}
	default:
		t.encrypt(data)
	}
}

// tlsWriteChunk is how much plaintext encrypt hands crypto/tls at a
// time: four full records, whose ciphertext fits the loop's buffer for
// outgoing records (tlsOutSize), so that the buffer never grows, however
// large a Write is.
const tlsWriteChunk = 64 << 10

// tlsOutSize is the size of the loop's buffer for outgoing records.
const tlsOutSize = 80 << 10

// encrypt writes data through crypto/tls, a chunk at a time (see
// tlsWriteChunk).
func (t *TLSConn) encrypt(data []byte) {
	for len(data) > tlsWriteChunk {
		t.encryptChunk(data[:tlsWriteChunk])
		data = data[tlsWriteChunk:]
	}
	t.encryptChunk(data)
}

// encryptChunk gathers the records of data in the loop's scratch buffer
// and hands them to the TCP connection at once (which copies what the
// socket does not take).
func (t *TLSConn) encryptChunk(data []byte) {
	b, r := &t.bio, t.conn.r
	b.out = r.tlsOutBuffer()[:0]
	b.batching = true
	t.tc.Write(data)
	b.batching = false
	out := b.out
	b.out = nil
	if len(out) > 0 {
		t.conn.Write(out)
	}
	// Kept for the next write; a buffer that had to grow anyway (a chunk
	// should not make it) is let go rather than held for the loop's life.
	if cap(out) > tlsOutSize {
		out = nil
	}
	r.scratch.tlsOut = out[:0]
}

// WriteShared is Write for bytes nobody changes while they may still be
// waiting (see Conn.WriteShared, whose contract it keeps: data must stay
// as it is until Buffered reports 0 or ConnectionLost has run). data is
// kept by reference, as plaintext, and encrypted a chunk at a time only
// while the TCP connection's buffer of records is at or below its high
// water mark (see SetWriteBufferLimits), the rest as that buffer drains.
// So a peer that does not read costs the connection no copy of, say, a
// poem served to every client, encrypted or not: before the handshake is
// over (hundreds of silent clients of a 1 MB poem held a copy each until
// their handshake timed out), and after it (hundreds of clients that
// finished their handshake and never read held its records, a copy each).
// Buffered counts what waits unencrypted; LoseConnection sends it all
// before the close_notify, AbortConnection drops it.
func (t *TLSConn) WriteShared(data []byte) {
	if len(data) == 0 || t.state == tlsEnded || t.shutSent {
		return // nothing can follow a close_notify
	}
	t.writes++
	t.queue.share(data)
	if t.state == tlsOpen {
		// May empty the queue (the buffer between its marks has room
		// for the rest), which held a close back: it goes on then.
		t.sendQueued()
	}
}

// sendQueued encrypts as much queued plaintext as the TCP connection's
// buffer has room for, lets the feed go once it is no longer needed, and
// goes on with a close the queue held back, if it has emptied.
func (t *TLSConn) sendQueued() {
	t.refill()
	t.attach()
	t.closeIfUnheld()
}

// refill encrypts queued plaintext while the TCP connection's buffer of
// records has room (see roomForRecords), so that a peer that does not
// read holds no more than about the high water mark of records. The rest
// waits for the buffer to drain (tlsFeed.ResumeProducing comes back
// here). A write made meanwhile, by a producer told to pause, say, queues
// behind.
func (t *TLSConn) refill() {
	if t.refilling {
		return
	}
	t.refilling = true
	for t.queue.n > 0 && t.state == tlsOpen {
		room := t.roomForRecords()
		if room == 0 {
			break
		}
		t.encryptQueued(room)
	}
	t.refilling = false
}

// encryptQueued encrypts up to limit bytes from the front of the queue.
func (t *TLSConn) encryptQueued(limit int) {
	b := t.queue.next(limit)
	t.encryptChunk(b)
	t.queue.drop(len(b))
}

// tlsRecordSize is the most plaintext one TLS record carries.
const tlsRecordSize = 16 << 10

// roomForRecords returns how much plaintext refill may encrypt next: none
// once the TCP connection is closed for writing or its buffer is over the
// high water mark (the mark above which it pauses a producer), else what
// fills it up to the mark, at least a whole record (smaller pieces would
// make small records) and at most a chunk (see tlsWriteChunk).
func (t *TLSConn) roomForRecords() int {
	c := t.conn
	if c.flags&(fClosed|fWriteClosed) != 0 {
		return 0
	}
	high := DefaultHighWater
	if c.extra != nil {
		high, _ = c.extra.marks()
	}
	n := c.Buffered()
	if n > high {
		return 0
	}
	return min(max(high-n, tlsRecordSize), tlsWriteChunk)
}

// attach keeps the feed registered on the TCP connection while it is
// needed: while the protocol has a producer (registered as that producer
// is, push or pull), or plaintext is queued (as a push producer, which
// the connection pauses above its high water mark and resumes as its
// buffer drains). It fails only where the TCP connection has a producer
// of its own, registered before StartTLS: nothing can pace the queue
// then, and it is encrypted at once, as Write's bytes are.
func (t *TLSConn) attach() error {
	if t.state != tlsOpen {
		return nil
	}
	want := t.producer != nil || t.queue.n > 0
	streaming := t.producer == nil || t.stream
	fed, fedStreaming := t.fed()
	if fed && (!want || fedStreaming != streaming) {
		t.conn.UnregisterProducer()
		fed = false
	}
	if !want || fed {
		return nil
	}
	if err := t.conn.RegisterProducer(t.feed(), streaming); err != nil {
		for t.queue.n > 0 && t.state == tlsOpen {
			t.encryptQueued(tlsWriteChunk)
		}
		return err
	}
	if streaming && t.queue.n > 0 && t.feedRunning() {
		// Registered at or under the high water mark (a pull producer
		// gone, its plaintext left): the connection resumes only a
		// producer it paused, so it would never ask the feed for more.
		// Encrypting now fills the buffer over the mark, which pauses
		// the feed until the buffer drains, or empties the queue, and
		// the feed is not needed any more.
		t.refill()
		if t.queue.n == 0 && t.producer == nil {
			t.conn.UnregisterProducer()
		}
	}
	return nil
}

// feedRunning reports whether the feed is the TCP connection's push
// producer and not paused by it.
func (t *TLSConn) feedRunning() bool {
	fed, streaming := t.fed()
	return fed && streaming && !t.conn.extra.producerPaused
}

// fed reports whether the feed is the TCP connection's producer, and
// whether as a push producer.
func (t *TLSConn) fed() (fed, streaming bool) {
	x := t.conn.extra
	if x == nil || x.producer != Producer(t.feed()) {
		return false, false
	}
	return true, x.streaming
}

// WriteSequence implements Transport.
func (t *TLSConn) WriteSequence(data [][]byte) {
	for _, b := range data {
		t.Write(b)
	}
}

// LoseConnection implements Transport: everything written is sent, then
// close_notify, then the TCP connection is closed. Reading stops at once:
// nothing more is delivered, not even the records already received.
//
// A registered producer is treated by Transport's rule, that of a TCP
// connection: a pull producer, and a push producer the buffer has paused,
// hold the close_notify back until they unregister (a paused one is
// resumed as the buffer drains, and holds again each time it is paused
// again), so that everything they write goes before it. A push producer
// that is not paused does not hold it: a relay's other side need never
// unregister, and the close must not wait for it for ever. Such a
// producer is stopped (StopProducing) when the close_notify is written,
// since nothing written after it can be sent; a push producer that means
// to finish its stream either unregisters before LoseConnection or writes
// until the buffer pauses it, as a producer writing as fast as it is let
// does. A handshake not over yet is waited for too.
//
// As on a TCP connection, the close happens at the end of the loop's turn,
// not inside the call: a Write that follows LoseConnection in the same
// callback is sent before the close_notify, as it would be over TCP.
func (t *TLSConn) LoseConnection() {
	if t.closing || t.state == tlsEnded {
		return
	}
	t.closing = true
	if t.state == tlsOpen && !t.holdsClose() {
		t.closeAtEndOfTurn()
		return
	}
	// A pull producer that had nothing to write is asked once more (see
	// Conn.askIdlePuller): the close waits for it to unregister.
	t.conn.askIdlePuller()
	t.conn.sync()
}

// holdsClose reports whether queued plaintext, or the producer
// registered on the TCP connection (or a file transfer), holds a
// close_notify back: the rule of LoseConnection, the same as
// Conn.drained's.
func (t *TLSConn) holdsClose() bool {
	if t.queue.n > 0 {
		return true
	}
	x := t.conn.extra
	if x == nil || x.xfer != nil {
		return x != nil
	}
	return x.producer != nil && (!x.streaming || x.producerPaused)
}

// closeIfUnheld goes on with a LoseConnection or LoseWriteConnection that
// waited for the handshake or a producer, once nothing holds it.
func (t *TLSConn) closeIfUnheld() {
	if t.state != tlsOpen || t.holdsClose() {
		return
	}
	if t.closing || (t.shutting && !t.shutSent) {
		// Not inside the call that released the hold (a Write, say): a
		// Write after it in the same callback still goes first.
		t.closeAtEndOfTurn()
	}
}

// closeAtEndOfTurn has the close_notify written once the current
// callback, and the others of this turn, have returned: where a TCP
// connection closes (Conn.LoseConnection queues its end the same way).
func (t *TLSConn) closeAtEndOfTurn() {
	if !t.queued {
		t.queued = true
		t.conn.r.atEndOfPhase((*tlsCloser)(t))
	}
}

// tlsCloser is a TLSConn in the loop's end-of-phase queue.
type tlsCloser TLSConn

// endOfPhase writes the close_notify of a LoseConnection, or of a
// LoseWriteConnection that was held back, unless the connection ended
// meanwhile or something written since holds it back again (shared
// plaintext queued, a producer paused: they close it when done).
func (c *tlsCloser) endOfPhase() {
	t := (*TLSConn)(c)
	t.queued = false
	if t.state != tlsOpen || t.holdsClose() {
		return
	}
	switch {
	case t.closing:
		t.closeNow()
	case t.shutting && !t.shutSent:
		t.shutWriteNow()
	}
}

// AbortConnection implements Transport: the TCP connection is reset.
func (t *TLSConn) AbortConnection() {
	if t.state == tlsEnded && t.conn.flags&fClosed != 0 {
		return
	}
	t.state = tlsEnded // the queue stays, unsent, for Buffered (see ConnectionLost)
	t.bio.close()
	t.conn.AbortConnection()
}

// Disconnecting implements Transport: LoseConnection has been called
// (by the protocol, or by the TLS layer after the peer's close_notify),
// TLS failed, or the TCP connection is going away.
func (t *TLSConn) Disconnecting() bool {
	return t.closing || t.state == tlsEnded || t.conn.Disconnecting()
}

// Peer implements Transport (the TCP connection's peer).
func (t *TLSConn) Peer() net.Addr { return t.conn.Peer() }

// Host implements Transport.
func (t *TLSConn) Host() net.Addr { return t.conn.Host() }

// RegisterProducer implements Transport. The producer paces itself by the
// TCP connection's buffer of encrypted output; until the handshake is
// over a push producer is paused and a pull producer not yet asked. See
// LoseConnection for how a producer holds the close.
func (t *TLSConn) RegisterProducer(p Producer, streaming bool) error {
	if err := CheckProducer(p, streaming); err != nil {
		return err
	}
	if t.producer != nil {
		return ErrProducerRegistered
	}
	switch t.state {
	case tlsEnded:
		p.StopProducing()
		return nil
	case tlsOpen:
		// Set first: the TCP connection asks a pull producer for its
		// first piece at once, and stops the feed (so p) if it has ended.
		t.producer, t.stream, t.held = p, streaming, false
		if fed, fedStreaming := t.fed(); fed && fedStreaming && streaming && t.conn.extra.producerPaused {
			// The feed is there already, for queued plaintext, and
			// paused by the buffer: so is p, until it drains.
			t.feed().PauseProducing()
		}
		if err := t.attach(); err != nil {
			// The queue was encrypted at once: a close it held goes on.
			t.producer = nil
			t.closeIfUnheld()
			return err
		}
		return nil
	}
	if streaming {
		p.(PushProducer).PauseProducing()
	}
	t.producer, t.stream, t.held = p, streaming, streaming
	return nil
}

// UnregisterProducer implements Transport; a LoseConnection waiting for
// the producer goes on.
func (t *TLSConn) UnregisterProducer() {
	if t.producer == nil {
		return
	}
	t.producer, t.held = nil, false
	if t.state == tlsHandshaking {
		return // not on the TCP connection yet
	}
	t.attach() // the feed stays while plaintext is queued
	t.closeIfUnheld()
}

// tlsFeed is the producer a TLSConn registers on its TCP connection in
// place of its protocol's, and while plaintext is queued (see attach).
// Each time the connection asks for more it encrypts queued plaintext
// first, then passes the call on to the protocol's producer once nothing
// is queued, and sees whether a close held back by either may go on.
type tlsFeed TLSConn

func (t *TLSConn) feed() *tlsFeed { return (*tlsFeed)(t) }

func (f *tlsFeed) ResumeProducing() {
	t := (*TLSConn)(f)
	t.refill()
	if p := t.producer; p != nil && t.queue.n == 0 {
		// A pull producer is asked each time; a push producer is resumed
		// if we paused it and the records just made have not filled the
		// buffer again (the connection paused the feed then).
		switch {
		case !t.stream:
			p.ResumeProducing()
		case t.held && !t.conn.extra.producerPaused:
			t.held = false
			p.ResumeProducing()
		}
	}
	t.attach() // let go once nothing is queued and no producer is left
	t.closeIfUnheld()
}

// PauseProducing: the connection's buffer is over its high water mark;
// a push producer of the protocol's is paused, once.
func (f *tlsFeed) PauseProducing() {
	if p, ok := f.producer.(PushProducer); ok && f.stream && !f.held {
		f.held = true
		p.PauseProducing()
	}
}

// StopProducing: the TCP connection has ended.
func (f *tlsFeed) StopProducing() {
	if p := f.producer; p != nil {
		f.producer, f.held = nil, false
		p.StopProducing()
	}
}

// PauseProducing stops reading and decrypting (Transport).
func (t *TLSConn) PauseProducing() {
	t.paused = true
	t.conn.PauseProducing()
}

// ResumeProducing reads again (Transport); records already received are
// delivered first, from the loop, not inside this call.
func (t *TLSConn) ResumeProducing() {
	if !t.paused {
		return
	}
	t.paused = false
	if !t.choked {
		t.conn.ResumeProducing()
	}
	if t.state == tlsOpen && (t.resumed == nil || !t.resumed.Active()) {
		// A resume per pause: the call that ran is rearmed, not made anew.
		if t.pumpFn == nil {
			t.pumpFn = t.pumpContained
		}
		Reschedule(t.conn.r, &t.resumed, 0, t.pumpFn)
	}
}

// StopProducing loses the connection (Transport).
func (t *TLSConn) StopProducing() { t.LoseConnection() }

// LoseWriteConnection sends close_notify once everything written has
// gone, and shuts the TCP write side; reading goes on (TCPTransport). A
// registered producer, and a handshake not over yet, hold it as they hold
// LoseConnection (a push producer that does not hold it is not stopped:
// the connection still reads, and a relay's other side goes on).
func (t *TLSConn) LoseWriteConnection() {
	if t.state == tlsEnded || t.closing || t.shutting {
		return
	}
	t.shutting = true
	if t.state == tlsOpen && !t.holdsClose() {
		t.shutWriteNow()
		return
	}
	t.conn.askIdlePuller() // see LoseConnection
	t.conn.sync()
}

// shutWriteNow sends close_notify after what is written, and shuts the
// TCP write side once it has gone.
func (t *TLSConn) shutWriteNow() {
	t.shutSent = true
	t.tc.CloseWrite()
	t.conn.LoseWriteConnection()
}

// SetNoDelay, SetKeepAlive and SetKeepAlivePeriod act on the TCP
// connection (TCPTransport).
func (t *TLSConn) SetNoDelay(on bool) error                 { return t.conn.SetNoDelay(on) }
func (t *TLSConn) SetKeepAlive(on bool) error               { return t.conn.SetKeepAlive(on) }
func (t *TLSConn) SetKeepAlivePeriod(d time.Duration) error { return t.conn.SetKeepAlivePeriod(d) }

// ConnectionState returns crypto/tls's account of the connection (the
// version, the cipher suite, the peer's certificates); its
// HandshakeComplete says whether the handshake is over.
func (t *TLSConn) ConnectionState() tls.ConnectionState {
	if t.state == tlsHandshaking {
		return tls.ConnectionState{}
	}
	return t.tc.ConnectionState()
}

// Conn returns the TCP connection under the TLS layer.
func (t *TLSConn) Conn() *Conn { return t.conn }

// Reactor returns the reactor the connection belongs to.
func (t *TLSConn) Reactor() *Reactor { return t.conn.r }

// Protocol returns the protocol the connection runs.
func (t *TLSConn) Protocol() Protocol { return t.app }

// Buffered returns the encrypted bytes waiting in the TCP connection's
// buffer plus the plaintext not encrypted yet (written during the
// handshake, or queued by WriteShared): what has not reached the socket.
func (t *TLSConn) Buffered() int { return t.conn.Buffered() + t.queue.n }

// SetWriteBufferLimits sets the water marks that pace a push producer, on
// the TCP connection's buffer of encrypted output (see
// Conn.SetWriteBufferLimits): a producer over TLS is held back by a
// reader that does not read, as over TCP. The high mark also bounds how
// many records WriteShared's plaintext is encrypted into ahead of the
// socket.
func (t *TLSConn) SetWriteBufferLimits(high, low int) { t.conn.SetWriteBufferLimits(high, low) }

// tlsLower is the TLS layer as the TCP connection's protocol.
type tlsLower TLSConn

func (l *tlsLower) MakeConnection(Transport) {}

func (l *tlsLower) ConnectionMade() { (*TLSConn)(l).start() }

// DataReceived takes ciphertext from the socket.
func (l *tlsLower) DataReceived(data []byte) {
	t := (*TLSConn)(l)
	switch t.state {
	case tlsHandshaking:
		if t.bio.feed(data) {
			t.choked = true
			t.conn.PauseProducing()
		}
	case tlsOpen:
		if t.closing {
			// The protocol asked to close: what comes now is dropped, as
			// a closed connection drops it, rather than kept undecrypted
			// for as long as a producer holds the close_notify back.
			return
		}
		t.bio.lend(data)
		t.pump()
		t.bio.keep()
	}
}

// ReadConnectionLost: the TCP stream ended (the layer is half-closeable,
// so that it can tell a close_notify from a cut).
func (l *tlsLower) ReadConnectionLost() {
	t := (*TLSConn)(l)
	t.bio.setEOF()
	switch t.state {
	case tlsOpen:
		t.pump()
		t.bio.keep()
	case tlsEnded:
		if t.conn.flags&fClosed == 0 {
			t.conn.LoseConnection()
		}
	}
	// While handshaking, the goroutine reads the end and fails.
}

// WriteConnectionLost: the TCP write side is shut. After the protocol's
// own LoseWriteConnection (not on the way to a whole close), a protocol
// that has WriteConnectionLost hears it, as over TCP.
func (l *tlsLower) WriteConnectionLost() {
	t := (*TLSConn)(l)
	if wl, ok := t.app.(writeHalfCloseable); ok && t.shutting && !t.closing {
		wl.WriteConnectionLost()
	}
}

// ConnectionLost: the TCP connection is gone; the protocol hears why.
func (l *tlsLower) ConnectionLost(reason error) {
	t := (*TLSConn)(l)
	if t.timer != nil {
		t.timer.Cancel()
		t.timer = nil
	}
	handshaking := t.state == tlsHandshaking
	t.state = tlsEnded
	t.bio.close()
	if p := t.producer; p != nil {
		t.producer = nil
		t.conn.r.call(p.StopProducing) // a panic must not skip ConnectionLost
	}
	if t.err != nil {
		reason = t.err
	} else if handshaking && errors.Is(reason, ErrConnectionDone) {
		reason = &TLSError{Op: "handshake", Err: io.ErrUnexpectedEOF}
	}
	if handshaking && t.onDone != nil {
		t.onDone(reason)
	}
	if !t.notified {
		t.notified = true
		// What the protocol wrote before the handshake failed was never
		// sent: Buffered still counts it here, so that the protocol does
		// not take it for delivered (a poem server logged a whole poem
		// sent to a client that never finished its handshake).
		t.app.ConnectionLost(reason)
	}
	t.queue = tlsQueue{}
}

var (
	_ TCPTransport          = (*TLSConn)(nil)
	_ HalfCloseableProtocol = (*tlsLower)(nil)
	_ PushProducer          = (*tlsFeed)(nil)
)

// tlsOutBuffer returns the loop's buffer for outgoing records.
func (r *Reactor) tlsOutBuffer() []byte {
	if r.scratch.tlsOut == nil {
		r.scratch.tlsOut = make([]byte, 0, tlsOutSize)
	}
	return r.scratch.tlsOut
}

// tlsPlainBuffer returns the loop's buffer for decrypted input.
func (r *Reactor) tlsPlainBuffer() []byte {
	if r.scratch.plain == nil {
		r.scratch.plain = make([]byte, 16<<10)
	}
	return r.scratch.plain
}
