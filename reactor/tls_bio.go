package reactor

import (
	"io"
	"net"
	"sync"
	"time"
)

// tlsBIO is the memory "BIO" under a crypto/tls Conn: the net.Conn it
// reads ciphertext from and writes ciphertext to, so that crypto/tls never
// touches the socket and the reactor keeps doing all the I/O.
//
// It has two modes.
//
// While the handshake runs, on a goroutine of its own (crypto/tls records
// a handshake error for good, so a handshake cannot be stopped half-way
// by a "no more bytes yet" error and resumed: it has to block), the BIO is
// shared: the loop feeds it what the socket delivers (feed), and Read
// blocks on a condition variable until bytes, the end of the stream or a
// close arrive. Writes are copied and handed to the loop with
// CallFromGoroutine, which writes them to the socket in order.
//
// Once the handshake is over the goroutine has returned, and the BIO
// belongs to the loop alone (sync is set): no lock. Read gives what the
// connection lent it (lend) and, when that is used up, errWouldBlock, a
// temporary net.Error, which crypto/tls's record layer passes up without
// recording it, so the next Read resumes where this one stopped. Write
// goes straight to the TCP connection's Write.
type tlsBIO struct {
	t *TLSConn

	mu     sync.Mutex
	cond   sync.Cond
	sync   bool // the handshake is over: loop-only, no locking
	closed bool // the connection is gone: Read fails, Write drops
	eof    bool // the peer ended the TCP stream
	choked bool // the loop stopped reading the socket: in is over maxHandshakeInput

	in       []byte // unread ciphertext
	borrowed bool   // in is the reactor's read buffer, lent for one call
	own      []byte // storage kept for what a call did not consume

	eofReturned bool // Read has reported the end of the TCP stream

	// out, while a Write of the protocol's is being encrypted, collects
	// its records (in the loop's shared buffer) so that they reach the
	// socket in one write(2) instead of one per 16 KiB record.
	out      []byte
	batching bool

	// The addresses, fixed at the start: crypto/tls may ask for them on
	// the handshake's goroutine (a GetCertificate callback), where the
	// connection itself must not be touched.
	local, remote net.Addr
}

// errWouldBlock is what Read returns when the loop has no more
// ciphertext for crypto/tls: temporary, so crypto/tls does not keep it.
var errWouldBlock net.Error = wouldBlockError{}

type wouldBlockError struct{}

func (wouldBlockError) Error() string   { return "reactor: TLS input would block" }
func (wouldBlockError) Timeout() bool   { return true }
func (wouldBlockError) Temporary() bool { return true }

func (b *tlsBIO) init(t *TLSConn) {
	b.t = t
	b.cond.L = &b.mu
	b.local, b.remote = t.conn.Host(), t.conn.Peer()
}

// Read implements net.Conn for crypto/tls.
func (b *tlsBIO) Read(p []byte) (int, error) {
	if b.sync {
		if len(b.in) == 0 {
			if b.eof {
				b.eofReturned = true
				return 0, io.EOF
			}
			return 0, errWouldBlock
		}
		n := copy(p, b.in)
		b.in = b.in[n:]
		return n, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.in) == 0 && !b.eof && !b.closed {
		if b.choked {
			b.unchoke()
			continue
		}
		b.cond.Wait()
	}
	switch {
	case b.closed:
		return 0, net.ErrClosed
	case len(b.in) == 0:
		b.eofReturned = true
		return 0, io.EOF
	}
	n := copy(p, b.in)
	b.in = b.in[n:]
	if len(b.in) == 0 {
		b.in = nil
	}
	return n, nil
}

// Write implements net.Conn for crypto/tls: the records go to the TCP
// connection, at once on the loop, or through CallFromGoroutine from the
// handshake's goroutine.
func (b *tlsBIO) Write(p []byte) (int, error) {
	if b.sync {
		if b.closed {
			return 0, net.ErrClosed
		}
		if b.batching {
			b.out = append(b.out, p...)
			return len(p), nil
		}
		b.t.conn.Write(p)
		return len(p), nil
	}
	data := append([]byte(nil), p...)
	t := b.t
	if err := t.conn.r.CallFromGoroutine(func() { t.conn.Write(data) }); err != nil {
		return 0, err
	}
	return len(p), nil
}

// feed adds ciphertext during the handshake (loop side). It reports
// whether the loop is to stop reading the socket: more than
// maxHandshakeInput waits. The handshake's goroutine has it read again
// once it has taken all of it and needs more (see unchoke).
func (b *tlsBIO) feed(p []byte) (choke bool) {
	b.mu.Lock()
	b.in = append(b.in, p...)
	if len(b.in) > maxHandshakeInput && !b.choked {
		b.choked, choke = true, true
	}
	b.mu.Unlock()
	b.cond.Signal()
	return choke
}

// unchoke runs on the handshake's goroutine, with b.mu held, when it has
// read everything the loop let it have and needs more: a handshake
// message may be larger than maxHandshakeInput (crypto/tls takes a
// certificate chain of up to 256 KiB), and waiting for input the loop no
// longer reads would only end at the handshake timeout. The lock is let
// go meanwhile: CallFromGoroutine may wait for the loop, which may be
// feeding this BIO.
func (b *tlsBIO) unchoke() {
	b.choked = false
	b.mu.Unlock()
	b.t.conn.r.CallFromGoroutine(b.t.unchoke)
	b.mu.Lock()
}

// setEOF records the end of the TCP stream.
func (b *tlsBIO) setEOF() {
	if b.sync {
		b.eof = true
		return
	}
	b.mu.Lock()
	b.eof = true
	b.mu.Unlock()
	b.cond.Signal()
}

// close makes a Read blocked in the handshake return: the connection is
// gone. It is idempotent.
func (b *tlsBIO) close() {
	if b.sync {
		b.closed = true
		b.in, b.own = nil, nil
		return
	}
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cond.Signal()
}

// toSync switches to loop-only mode once the handshake's goroutine has
// returned. What it left unread (the first application records, sent
// right behind the peer's last handshake message) stays in in.
func (b *tlsBIO) toSync() {
	b.mu.Lock()
	b.sync = true
	b.mu.Unlock()
}

// lend makes p (a window on the reactor's read buffer) the input for one
// call, without copying it when nothing is left over from before.
func (b *tlsBIO) lend(p []byte) {
	if len(b.in) == 0 {
		b.in, b.borrowed = p, true
		return
	}
	b.in = append(b.in, p...)
}

// keep copies what the call did not consume out of the lent buffer (the
// reactor reuses it), and releases the storage when nothing is left, so an
// idle connection holds no input buffer.
func (b *tlsBIO) keep() {
	if len(b.in) == 0 {
		b.in, b.borrowed = nil, false
		if cap(b.own) > 4<<10 {
			b.own = nil
		}
		return
	}
	if b.borrowed {
		b.own = append(b.own[:0], b.in...)
		b.in, b.borrowed = b.own, false
	}
}

func (b *tlsBIO) Close() error                     { return nil }
func (b *tlsBIO) LocalAddr() net.Addr              { return b.local }
func (b *tlsBIO) RemoteAddr() net.Addr             { return b.remote }
func (b *tlsBIO) SetDeadline(time.Time) error      { return nil }
func (b *tlsBIO) SetReadDeadline(time.Time) error  { return nil }
func (b *tlsBIO) SetWriteDeadline(time.Time) error { return nil }
