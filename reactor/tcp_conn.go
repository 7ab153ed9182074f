package reactor

import (
	"fmt"
	"io"
	"net"
	"time"

	"gyre/internal/sock"
)

// connFlags is a connection's state, one bit per fact.
type connFlags uint32

const (
	fConnecting    connFlags = 1 << iota // client: connect(2) in progress, waiting for writability
	fSetup                               // inside MakeConnection/ConnectionMade: registration waits
	fReading                             // registered with the reactor as reader
	fWriting                             // registered with the reactor as writer
	fPaused                              // PauseProducing: not reading
	fDisconnecting                       // LoseConnection: close once drained
	fWriteShutting                       // LoseWriteConnection: shut the write side once drained
	fWriteClosed                         // write side shut
	fReadClosed                          // the peer ended its side; the protocol is half-closeable
	fClosed                              // fd closed
	fNotified                            // ConnectionLost delivered
	fQueued                              // in the reactor's end-of-phase queue
	fParked                              // open but watched for nothing: held by the loop (hold)
	fHeld                                // written with MSG_MORE during setup: release unless closing
	fNoDelay                             // TCP_NODELAY known to be on (WithNoDelay, SetNoDelay)
	fBatched                             // output waits in the reactor's batch (WithBatchedIO)
	fResetOnExit                         // SO_LINGER 0 (WithResetOnExit): a clean close turns it off first
)

// talked records which ways bytes have gone on a connection: what decides
// whether its clean close lingers (see lingers).
type talked uint8

const (
	talkedIn  talked = 1 << iota // the peer has sent something
	talkedOut                    // the connection has written something
)

// ending is how a connection that closed itself ended (Conn.ending),
// turned into the reason for ConnectionLost by reason().
type ending uint8

const (
	endNone ending = iota
	endDone
	endAborted
	endError
)

// Conn is a TCP connection: the Transport its protocol writes to, and the
// descriptor the reactor watches (it is both a ReadDescriptor and a
// WriteDescriptor). ListenTCP and ConnectTCP make them; a protocol sees its
// Conn as the Transport given to MakeConnection (assert to *Conn or
// TCPTransport for the TCP-only methods).
//
// A Conn is small (64 bytes on 64-bit systems, a size class of the
// allocator, so nothing is rounded up): everything that not every
// connection needs (the write buffer, a producer, the connector, the cached
// local address) lives in a second block allocated on first use. The
// peer's address is made once, at the start (the factory's BuildProtocol
// is given it), and kept: made again for each later Peer call (a log
// record when the connection ends), it was as much garbage per connection
// as the address costs to keep, and garbage is what raises the collector's
// heap target and so the server's resident memory.
//
// Output goes straight to the socket when it will take it: Write makes one
// write(2) and buffers only what the socket refused, and the connection is
// registered for writability only while something is buffered. A server
// whose ConnectionMade writes everything and calls LoseConnection is
// closed right after ConnectionMade returns without ever being registered
// with the backend: accept4, write, a read (to drop any input the client
// sent, see discardInput) and close, four system calls. On Linux
// that write holds its last partial segment back (MSG_MORE) so that the
// close sends the FIN with the data: one packet fewer per connection. A
// connection that writes in ConnectionMade and stays open pays one
// setsockopt to release it.
//
// Like every reactor object, a Conn belongs to the loop goroutine.
type Conn struct {
	r      *Reactor
	proto  Protocol
	extra  *connExtra // allocated on first need (needExtra)
	peer   net.Addr   // made once, when the connection is (see Peer)
	fd     int32
	flags  connFlags
	ending ending
	talked talked
	writes uint32 // WriteCount: in the padding, Conn stays at 64 bytes
}

// connExtra holds what only some connections need.
type connExtra struct {
	wbuf []byte // pending output is wbuf[woff:]
	woff int
	lent bool // wbuf is the caller's (WriteShared): never written into

	producer       Producer
	streaming      bool
	producerPaused bool // we paused a push producer
	// pullIdle: the pull producer wrote nothing when last asked. It is
	// not asked again until it writes (Twisted stops writing then, and
	// the producer's next write starts it again): asking at every
	// writability would spin the loop, the socket being always writable.
	pullIdle  bool
	high, low int // water marks; 0 means the defaults

	xfer *fileTransfer // sendfile(2) transfer in progress

	stash []byte // received in a batch after a callback paused it (batch_read.go)

	err       error    // the reason, when the connection ended by an error
	host      net.Addr // cached Host()
	connector *Connector
}

// Default write buffer water marks: a push producer is paused when more
// than DefaultHighWater bytes wait in a connection's buffer and resumed
// when no more than DefaultLowWater remain. Twisted pauses at 64 KiB too.
const (
	DefaultHighWater = 64 << 10
	DefaultLowWater  = 16 << 10
)

func (c *Conn) needExtra() *connExtra {
	if c.extra == nil {
		c.extra = new(connExtra)
	}
	return c.extra
}

// Fd returns the socket's descriptor (-1 once closed).
func (c *Conn) Fd() int {
	if c.flags&fClosed != 0 {
		return -1
	}
	return int(c.fd)
}

// Reactor returns the reactor the connection belongs to.
func (c *Conn) Reactor() *Reactor { return c.r }

// Protocol returns the connection's protocol (nil while connecting).
func (c *Conn) Protocol() Protocol { return c.proto }

// LogPrefix names the connection in logs: the protocol's type (the
// innermost one, beneath any ProtocolWrapper) and the peer's address.
func (c *Conn) LogPrefix() string {
	return fmt.Sprintf("%T,%v", InnerProtocol(c.proto), c.Peer())
}

// Peer returns the remote address: a *net.TCPAddr, or a *net.UnixAddr on
// a Unix socket (the path connected to for a client, "" for a server's
// peer, which is usually unnamed). It is made once, with the connection,
// and every call returns that same value, as net.Conn's RemoteAddr does:
// callers must not modify it. It is still known after the connection has
// ended.
func (c *Conn) Peer() net.Addr { return c.peer }

// Host returns the local address (cached after the first call; nil if
// first asked after the connection has ended).
func (c *Conn) Host() net.Addr {
	if c.extra != nil && c.extra.host != nil {
		return c.extra.host
	}
	if c.flags&fClosed != 0 {
		return nil
	}
	addr, err := sock.LocalNetAddr(int(c.fd))
	if err != nil || addr == nil {
		return nil
	}
	c.needExtra().host = addr
	return addr
}

// Buffered returns how many written bytes wait in the connection's buffer
// for the socket to take them. It is still right during ConnectionLost,
// where it counts what was never sent. Bytes a reactor made WithBatchedIO
// holds until the end of the turn are not counted: the socket has not
// refused them.
func (c *Conn) Buffered() int {
	if c.extra == nil {
		return 0
	}
	n := len(c.extra.wbuf) - c.extra.woff
	if t := c.extra.xfer; t != nil {
		n += len(t.tail)
	}
	return n
}

// SetWriteBufferLimits sets the high and low water marks of the write
// buffer that pause and resume a push producer (defaults DefaultHighWater
// and DefaultLowWater). low is clamped to [0, high].
func (c *Conn) SetWriteBufferLimits(high, low int) {
	x := c.needExtra()
	x.high = max(high, 1)
	x.low = min(max(low, 0), x.high)
}

func (x *connExtra) marks() (high, low int) {
	if x.high == 0 {
		return DefaultHighWater, DefaultLowWater
	}
	return x.high, x.low
}

// pending reports whether output waits: batched or buffered bytes, or a
// file transfer.
func (c *Conn) pending() bool {
	return c.flags&fBatched != 0 || c.pendingOwn()
}

// pendingOwn reports whether output waits in the connection's own buffer
// or a file transfer.
func (c *Conn) pendingOwn() bool {
	x := c.extra
	return x != nil && (x.woff < len(x.wbuf) || x.xfer != nil)
}

// drained reports whether a close (or a write-side shutdown) waiting for
// the output may go ahead: no buffer, no transfer, and no producer that
// must be heard first. Twisted's rule: a streaming producer that is not
// paused does not hold the close back (it writes whenever it likes, so
// there is nothing to wait for; it is stopped when the connection ends),
// while a pull producer, or a push producer the buffer paused, is asked
// for more first (askProducer) and holds the close until it unregisters or
// runs dry.
func (c *Conn) drained() bool {
	if c.flags&fBatched != 0 {
		return false
	}
	x := c.extra
	return x == nil || (x.woff == len(x.wbuf) && x.xfer == nil &&
		(x.producer == nil || (x.streaming && !x.producerPaused)))
}

// wantsWrite reports whether the connection needs writability events.
func (c *Conn) wantsWrite() bool {
	if c.flags&fConnecting != 0 {
		return true
	}
	if c.flags&fBatched != 0 {
		return false // the end of the turn sends it
	}
	if c.flags&fWriteClosed != 0 {
		return false
	}
	x := c.extra
	if x == nil {
		return false
	}
	// A pull producer is asked for more each time the socket is
	// writable and the buffer is empty.
	return x.woff < len(x.wbuf) || x.xfer != nil || (x.producer != nil && !x.streaming && !x.pullIdle)
}

// sync brings the reactor's registration in line with the state: reading
// unless paused, closing or half-closed; writing while output waits. An
// open connection watched for nothing is parked, so that the reactor can
// still close it when it stops.
func (c *Conn) sync() {
	f := c.flags
	if f&(fClosed|fSetup) != 0 {
		return
	}
	wantR := f&(fConnecting|fPaused|fDisconnecting|fReadClosed) == 0
	wantW := c.wantsWrite()
	if wantR != (f&fReading != 0) || wantW != (f&fWriting != 0) {
		if err := c.watch(wantR, wantW); err != nil {
			c.r.log().Error("cannot watch connection", "system", c.LogPrefix(), "error", err)
			c.shut(endError, err)
			c.queueLost()
			return
		}
		f &^= fReading | fWriting
		if wantR {
			f |= fReading
		}
		if wantW {
			f |= fWriting
		}
		c.flags = f
	}
	// A connection whose output waits in the batch is held by the batch.
	c.park(!wantR && !wantW && f&fBatched == 0)
}

// unwatch removes every registration (before the fd is closed).
func (c *Conn) unwatch() {
	if c.flags&(fReading|fWriting) != 0 {
		c.watch(false, false)
		c.flags &^= fReading | fWriting
	}
	c.park(false)
}

// shut closes the fd now and records how it ended; ConnectionLost is for
// the caller to deliver or queue. An abort sets SO_LINGER to zero first, so the
// kernel drops unsent data and sends a reset, as Twisted's abortConnection
// does.
func (c *Conn) shut(how ending, err error) {
	if c.flags&fClosed != 0 {
		return
	}
	c.unwatch()
	if (how == endDone || how == endNone) && c.flags&fResetOnExit != 0 {
		// This end is meant, not a death: close as without WithResetOnExit.
		// (An end by error keeps the reset: it was not a whole answer.)
		sock.ClearAbortOnClose(int(c.fd))
		c.flags &^= fResetOnExit
	}
	switch how {
	case endAborted:
		sock.SetAbortOnClose(int(c.fd))
		sock.Close(int(c.fd))
	case endError:
		sock.Close(int(c.fd))
	default:
		unread, eof := discardInput(int(c.fd), c.r.scratch.discardBuffer())
		if !c.lingers(how, unread, eof) || !c.linger() {
			sock.Close(int(c.fd))
		}
	}
	c.flags |= fClosed
	c.ending = how
	if err != nil {
		c.needExtra().err = err
	}
}

// maxDiscardOnClose bounds the unread input discardInput drops.
const maxDiscardOnClose = 16 << 20

// discardInput reads and drops the input nobody read, before a close that
// is not an abort, and returns how much it dropped and whether it met the
// end of the stream. Closing a socket whose input has not all been read
// makes the kernel send a reset instead of the end of the stream, and a
// reset throws away whatever the peer had not read yet: a client that
// sent something to a server that never reads (a one-way protocol) would
// lose the end of its answer, and the server would think it delivered.
// The input waiting is bounded by the socket's receive buffer; a peer
// still sending gets a lingering close instead (see linger.go). On the
// fast path (accept, write, close) this is one more system call, a read
// that finds nothing.
func discardInput(fd int, buf []byte) (n int, eof bool) {
	for n < maxDiscardOnClose {
		k, err := sock.Read(fd, buf)
		if err == sock.EINTR {
			continue
		}
		if err != nil || k == 0 {
			return n, err == nil
		}
		n += k
	}
	return n, false
}

// reason is the ConnectionLost reason of a connection that closed itself.
func (c *Conn) reason() error {
	switch c.ending {
	case endAborted:
		return ErrConnectionAborted
	case endError:
		if c.extra != nil && c.extra.err != nil {
			return c.extra.err
		}
		return ErrConnectionLost
	}
	return ErrConnectionDone
}

// fail ends the connection because a write failed outside DoWrite (in
// Write, inside a protocol's callback): close now, tell later.
func (c *Conn) fail(errno error) {
	c.shut(endError, lostBy(errno))
	if c.flags&fSetup == 0 {
		c.queueLost()
	}
}

// finishQueued is run by the reactor's end-of-phase queue: deliver the
// ConnectionLost of a connection that closed itself, or close one whose
// LoseConnection found nothing left to send.
func (c *Conn) finishQueued() {
	c.flags &^= fQueued
	if c.flags&fNotified != 0 {
		return
	}
	if c.flags&fClosed == 0 {
		if c.flags&fDisconnecting == 0 || !c.drained() {
			c.sync()
			return
		}
		c.shut(endDone, nil)
	}
	c.notifyLost(c.reason())
}

// notifyLost delivers the end of the connection, once: the producer or
// file transfer is stopped, then the protocol's ConnectionLost, then, for a
// client connection, the factory's ClientConnectionLost.
func (c *Conn) notifyLost(reason error) {
	if c.flags&fNotified != 0 {
		return
	}
	c.flags |= fNotified
	x := c.extra
	if x != nil {
		if t := x.xfer; t != nil {
			x.xfer = nil
			t.stopped(c.r, reason)
		}
		if p := x.producer; p != nil {
			x.producer = nil
			c.r.call(p.StopProducing)
		}
	}
	if c.proto != nil {
		c.r.callProtocolLost(c, reason)
	}
	if x != nil {
		x.wbuf, x.woff, x.lent = nil, 0, false
		if x.connector != nil {
			x.connector.connectionLost(c, reason)
		}
	}
}

// afterSetup runs when MakeConnection and ConnectionMade have returned:
// the fast path. A connection that has already closed (or wants to close
// and has sent everything) is closed now, never registered; any other is
// registered for reading (and for writing if output waits) in one system
// call.
func (c *Conn) afterSetup() {
	c.flags &^= fSetup
	switch {
	case c.flags&fClosed != 0:
		c.notifyLost(c.reason())
	case c.flags&fDisconnecting != 0 && c.drained():
		c.shut(endDone, nil)
		c.notifyLost(ErrConnectionDone)
	default:
		if c.flags&fHeld != 0 {
			c.flags &^= fHeld
			sock.ReleaseHeld(int(c.fd)) // it stays open: send what MSG_MORE held back
		}
		c.producerDone() // a LoseWriteConnection with nothing to send, then registration
	}
}

// start attaches the protocol and runs MakeConnection and ConnectionMade
// (a panic in either is logged and aborts the connection), then afterSetup.
// start runs the protocol's ConnectionMade on the new connection, and
// returns the failure of a ConnectionMade that panicked (the connection is
// then aborted).
func (c *Conn) start(p Protocol) (panicked error) {
	c.proto = p
	c.flags |= fSetup
	f := c.r.callMade(c)
	if f != nil && c.flags&fClosed == 0 {
		// A reset, not an end of stream: what was written before the
		// panic must not pass for a whole answer.
		sock.SetAbortOnClose(int(c.fd))
		c.shut(endError, f)
	}
	c.afterSetup()
	return f
}

// Write implements Transport.
func (c *Conn) Write(data []byte) {
	c.r.checkLoop("Conn.Write")
	c.write(data, false)
}

// write sends data, keeping what the socket refused: a copy, or data
// itself when it is lent (see WriteShared).
func (c *Conn) write(data []byte, lend bool) {
	if len(data) == 0 || c.flags&(fClosed|fWriteClosed|fConnecting) != 0 {
		return
	}
	c.talked |= talkedOut
	c.writes++
	c.pullWrote()
	if c.r.batch != nil && !c.pendingOwn() {
		c.batchWrite(data, lend)
		return
	}
	c.writeNow(data, lend)
}

// writeNow is write without the batch: write(2) at once, and what the
// socket refused kept (see write).
func (c *Conn) writeNow(data []byte, lend bool) {
	if !c.pending() {
		// Inside ConnectionMade, hold the last partial segment back (see
		// sysWriteMore): a LoseConnection that follows sends it with the
		// FIN; afterSetup releases it otherwise. Not with Nagle off: the
		// protocol asked for small writes to leave at once, and holding
		// them would cost a system call to release.
		more := c.flags&(fSetup|fNoDelay) == fSetup
		if more {
			c.flags |= fHeld
		}
		n, err := writeSome(int(c.fd), data, more)
		if err != nil {
			c.fail(err)
			return
		}
		if n == len(data) {
			return
		}
		data = data[n:]
		if lend {
			c.lend(data)
			return
		}
	}
	c.buffer(data)
}

// WriteSequence implements Transport: one writev(2) for all the slices
// when nothing is buffered.
func (c *Conn) WriteSequence(data [][]byte) {
	c.r.checkLoop("Conn.WriteSequence")
	if c.flags&(fClosed|fWriteClosed|fConnecting) != 0 {
		return
	}
	c.talked |= talkedOut
	c.writes++
	c.pullWrote()
	if c.r.batch != nil && !c.pendingOwn() {
		for _, b := range data {
			c.write(b, false)
		}
		return
	}
	if !c.pending() {
		n, err := writevSome(int(c.fd), data, &c.r.scratch.iov)
		if err != nil {
			c.fail(err)
			return
		}
		for len(data) > 0 && n >= len(data[0]) {
			n -= len(data[0])
			data = data[1:]
		}
		if len(data) == 0 {
			return
		}
		c.buffer(data[0][n:]) // the caller's slices stay as they were
		data = data[1:]
	}
	for _, b := range data {
		c.buffer(b)
	}
}

// buffer keeps what the socket did not take, registers for writability,
// and pauses a push producer above the high water mark.
func (c *Conn) buffer(data []byte) {
	if len(data) == 0 {
		return
	}
	x := c.needExtra()
	if x.lent {
		// Never append to, or compact, the caller's bytes.
		x.wbuf, x.woff, x.lent = append(make([]byte, 0, len(x.wbuf)-x.woff+len(data)), x.wbuf[x.woff:]...), 0, false
	}
	if t := x.xfer; t != nil {
		t.tail = append(t.tail, data...) // goes after the file
	} else {
		if x.woff > 0 && x.woff >= len(x.wbuf)/2 {
			// Reclaim the sent half before growing, so a connection
			// that keeps a steady backlog does not grow without end.
			n := copy(x.wbuf, x.wbuf[x.woff:])
			x.wbuf, x.woff = x.wbuf[:n], 0
		}
		x.wbuf = append(x.wbuf, data...)
	}
	c.buffered()
}

// buffered follows a change of the buffer: register for writability, and
// pause a push producer above the high water mark.
func (c *Conn) buffered() {
	x := c.extra
	c.sync()
	if p := x.producer; p != nil && x.streaming && !x.producerPaused {
		if high, _ := x.marks(); c.Buffered() > high {
			x.producerPaused = true
			if pp, ok := p.(PushProducer); ok {
				pp.PauseProducing()
			}
		}
	}
}

// writeSome makes one write(2) (with MSG_MORE if more); EAGAIN counts as
// nothing written.
func writeSome(fd int, p []byte, more bool) (int, error) {
	for {
		var n int
		var err error
		if more {
			n, err = sock.WriteMore(fd, p)
		} else {
			n, err = sock.Write(fd, p)
		}
		switch err {
		case nil:
			return n, nil
		case sock.EINTR:
			continue
		case sock.EAGAIN:
			return 0, nil
		}
		return 0, err
	}
}

func writevSome(fd int, bufs [][]byte, iov *sock.Iovecs) (int, error) {
	for {
		n, err := iov.Writev(fd, bufs)
		switch err {
		case nil:
			return n, nil
		case sock.EINTR:
			continue
		case sock.EAGAIN:
			return 0, nil
		}
		return 0, err
	}
}

// LoseConnection implements Transport.
func (c *Conn) LoseConnection() {
	c.r.checkLoop("Conn.LoseConnection")
	if c.flags&(fClosed|fDisconnecting|fConnecting) != 0 {
		return
	}
	c.flags |= fDisconnecting
	c.askIdlePuller()
	if c.flags&fSetup != 0 {
		return // afterSetup closes it
	}
	if c.drained() {
		// Closed at the end of the current callback, not inside it: the
		// protocol's ConnectionLost must not run under its own call, and
		// a Write that follows LoseConnection still goes out first.
		c.queueLost()
	}
	c.sync()
}

// askIdlePuller has a pull producer that wrote nothing when last asked
// asked once more, at the next writability, as Twisted's loseConnection
// starts writing again: that is how a producer with nothing left learns
// that it should unregister, which the close waits for.
func (c *Conn) askIdlePuller() {
	if x := c.extra; x != nil && x.pullIdle {
		x.pullIdle = false
	}
}

// LoseWriteConnection implements TCPTransport: once everything written has
// been sent, shutdown(SHUT_WR), so the peer reads end of file; reading
// goes on.
func (c *Conn) LoseWriteConnection() {
	if c.flags&(fClosed|fWriteShutting|fWriteClosed|fConnecting) != 0 {
		return
	}
	c.flags |= fWriteShutting
	if c.drained() && c.flags&fSetup == 0 {
		if c.shutWrite() {
			return
		}
	}
	c.askIdlePuller()
	c.sync()
}

// shutWrite shuts the write side now and reports whether that ended the
// connection (its read side had ended already).
func (c *Conn) shutWrite() bool {
	c.flags |= fWriteClosed
	if err := sock.ShutdownWrite(int(c.fd)); err != nil {
		c.fail(err)
		return true
	}
	if wl, ok := c.proto.(writeHalfCloseable); ok {
		c.r.call(wl.WriteConnectionLost)
	}
	if c.flags&fReadClosed != 0 && c.flags&fClosed == 0 {
		c.shut(endDone, nil)
		c.queueLost()
		return true
	}
	return false
}

// AbortConnection implements Transport.
func (c *Conn) AbortConnection() {
	c.r.checkLoop("Conn.AbortConnection")
	if c.flags&(fClosed|fConnecting) != 0 {
		return
	}
	c.shut(endAborted, nil)
	if c.flags&fSetup == 0 {
		c.queueLost()
	}
}

// Disconnecting implements Transport: LoseConnection has been called, or
// the connection has ended (AbortConnection, the peer, an error).
func (c *Conn) Disconnecting() bool {
	return c.flags&(fDisconnecting|fClosed) != 0
}

// PauseProducing stops reading from the socket (Transport).
func (c *Conn) PauseProducing() {
	c.flags |= fPaused
	c.sync()
}

// ResumeProducing starts reading again (Transport).
func (c *Conn) ResumeProducing() {
	c.flags &^= fPaused
	c.sync()
	if x := c.extra; x != nil && len(x.stash) > 0 {
		c.r.atEndOfPhase(stashDelivery{c})
	}
}

// StopProducing loses the connection (Transport).
func (c *Conn) StopProducing() { c.LoseConnection() }

// AcceptDelay implements AcceptDelayer. On Linux it is read from
// TCP_INFO: the time since the last ACK received, which the kernel counts
// in whole ticks of its clock (4 ms at HZ=250) as the difference of two
// tick counts, so it may be up to a tick more or less than the real wait.
func (c *Conn) AcceptDelay() time.Duration {
	if c.flags&fClosed != 0 {
		return 0
	}
	return sock.AcceptDelay(int(c.fd))
}

// SetNoDelay implements TCPTransport. Turning Nagle off on a connection
// known to have it off already (accepted on a WithNoDelay port, or set
// before) costs no system call.
func (c *Conn) SetNoDelay(on bool) error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	if on && c.flags&fNoDelay != 0 {
		return nil
	}
	if err := sock.SetNoDelay(int(c.fd), on); err != nil {
		return err
	}
	if on {
		c.flags |= fNoDelay
	} else {
		c.flags &^= fNoDelay
	}
	return nil
}

// initNoDelay records that an accepted connection has Nagle off, setting
// it where the listener's setting is not inherited (WithNoDelay).
func (c *Conn) initNoDelay(inherited bool) {
	if inherited || sock.SetNoDelay(int(c.fd), true) == nil {
		c.flags |= fNoDelay
	}
}

// SetKeepAlive implements TCPTransport.
func (c *Conn) SetKeepAlive(on bool) error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	return sock.SetKeepAlive(int(c.fd), on)
}

// SetKeepAlivePeriod implements TCPTransport (Linux only: elsewhere it
// returns errors.ErrUnsupported).
func (c *Conn) SetKeepAlivePeriod(d time.Duration) error {
	if c.flags&fClosed != 0 {
		return net.ErrClosed
	}
	return sock.SetKeepAlivePeriod(int(c.fd), d)
}

// DoRead reads once into the reactor's shared buffer and hands the bytes
// to the protocol. End of file ends the connection cleanly, or only its
// read side for a HalfCloseableProtocol.
func (c *Conn) DoRead() error {
	if !c.readable() {
		return nil
	}
	if c.extra != nil && c.deliverStash() {
		return nil // what a batch kept goes first; the socket next turn
	}
	buf := c.r.ReadBuffer()
	n, err := readOnce(int(c.fd), buf)
	if n == 0 {
		if err == io.EOF {
			return c.readEnded()
		}
		return err
	}
	c.talked |= talkedIn
	c.proto.DataReceived(buf[:n])
	return nil
}

// readOnce is one read(2) of a socket into buf, made again if a signal
// interrupted it. It returns the bytes read, or none and: nil if nothing
// was waiting, io.EOF at the peer's end of stream, or the failure as a
// lost connection's error.
func readOnce(fd int, buf []byte) (int, error) {
	for {
		n, err := sock.Read(fd, buf)
		switch {
		case err == sock.EINTR:
			continue
		case err == sock.EAGAIN:
			return 0, nil
		case err != nil:
			return 0, lostBy(err)
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// readEnded handles end of file from the peer.
func (c *Conn) readEnded() error {
	hc, ok := halfCloseable(c.proto)
	if !ok || c.flags&fWriteClosed != 0 {
		return io.EOF
	}
	c.flags |= fReadClosed
	c.sync()
	hc.ReadConnectionLost()
	return nil
}

// DoWrite sends what is buffered, then continues a file transfer or asks
// the producer for more, and closes (or shuts the write side) once all is
// sent and that was asked for.
func (c *Conn) DoWrite() error {
	f := c.flags
	if f&fConnecting != 0 {
		c.extra.connector.connectReady(c)
		return nil
	}
	if f&(fClosed|fWriteClosed) != 0 {
		return nil
	}
	x := c.extra
	if x != nil && x.woff < len(x.wbuf) {
		n, err := writeSome(int(c.fd), x.wbuf[x.woff:], false)
		if err != nil {
			return lostBy(err)
		}
		x.woff += n
		if x.woff < len(x.wbuf) {
			c.lowWater()
			return nil // the socket is full: wait for the next writability
		}
		x.wbuf, x.woff, x.lent = nil, 0, false // drained: release the buffer
	}
	if x != nil && x.xfer != nil {
		if err := c.continueTransfer(); err != nil {
			return err
		}
		if c.flags&fClosed != 0 || x.xfer != nil {
			return nil
		}
	}
	if x != nil && x.producer != nil {
		c.askProducer()
		if c.flags&fClosed != 0 {
			return nil
		}
	}
	if c.drained() {
		if c.flags&fDisconnecting != 0 {
			c.shut(endDone, nil) // closed here, so that it can linger
			return ErrConnectionDone
		}
		if c.flags&fWriteShutting != 0 && c.flags&fWriteClosed == 0 {
			if c.shutWrite() {
				return nil
			}
		}
	}
	c.sync()
	return nil
}

// lowWater resumes a push producer we paused once the buffer is at or
// below the low water mark.
func (c *Conn) lowWater() {
	x := c.extra
	if x.producer == nil || !x.streaming || !x.producerPaused {
		return
	}
	if _, low := x.marks(); c.Buffered() <= low {
		x.producerPaused = false
		x.producer.ResumeProducing()
	}
}

// maxPullsPerWrite bounds how many times one DoWrite asks a pull producer
// for more while the socket keeps taking everything at once.
const maxPullsPerWrite = 16

// askProducer runs when the buffer is empty: a paused push producer is
// resumed; a pull producer is asked for more, again and again while its
// writes go straight to the socket.
func (c *Conn) askProducer() {
	x := c.extra
	p := x.producer
	if x.streaming {
		if x.producerPaused {
			x.producerPaused = false
			p.ResumeProducing()
		}
		return
	}
	for range maxPullsPerWrite {
		x.pullIdle = true
		p.ResumeProducing()
		if c.flags&fClosed != 0 || x.producer != p || c.pending() || x.pullIdle {
			return
		}
	}
}

// pullWrote notes that a pull producer that had nothing to write when
// last asked has written: the connection watches for writability again,
// to ask it for more once this is sent.
func (c *Conn) pullWrote() {
	if x := c.extra; x != nil && x.pullIdle {
		x.pullIdle = false
		c.sync()
	}
}

// ConnectionLost is called by the reactor when it drops the connection (a
// read or write failed, the peer closed, or the reactor stopped). It closes
// the socket and delivers the end to the protocol, once.
func (c *Conn) ConnectionLost(reason error) {
	if c.flags&fNotified != 0 {
		return
	}
	c.flags &^= fReading | fWriting // the reactor has removed them
	if c.flags&fConnecting != 0 {
		c.shut(endError, reason)
		c.extra.connector.connectFailed(c, reason)
		return
	}
	if c.flags&fClosed == 0 {
		how := endNone
		if reason != ErrConnectionDone { // the very value: a panic's Failure may wrap it
			// Anything but the peer's end of stream: a callback panicked
			// (contain's Failure), the reactor is stopping with the
			// connection still open (disconnectAll), a file being sent
			// could not be read, a read or write failed. The protocol
			// had not ended the connection, so whatever it was sending is
			// cut short, and the peer gets a reset rather than an end of
			// stream that would make it whole (a peer already gone
			// loses nothing by it).
			how = endAborted
		}
		c.shut(how, nil)
	}
	c.notifyLost(reason)
}

var (
	_ TCPTransport    = (*Conn)(nil)
	_ AcceptDelayer   = (*Conn)(nil)
	_ ReadDescriptor  = (*Conn)(nil)
	_ WriteDescriptor = (*Conn)(nil)
	_ Consumer        = (*Conn)(nil)
)
