package reactor

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
	"gyre/reactor/internal/uring"
)

// BatchEnv is the environment variable New reads when no WithBatchedIO
// option is given: GYRE_BATCHED_IO=1 makes every reactor of the process
// batch its sends (so that a whole test suite can run that way), 0 makes
// none do.
const BatchEnv = "GYRE_BATCHED_IO"

// WithBatchedIO makes the reactor hand the kernel a turn's socket sends
// together instead of one write(2) per Write: a connection's Write (outside
// ConnectionMade) copies the bytes into the connection's buffer, and once
// the turn's callbacks have run the reactor sends every buffered connection
// in one io_uring_enter(2). A server that answers many requests per turn
// (an echo server under load) then makes one system call for all of its
// answers instead of one each; where each system call is expensive (a
// virtual machine) that is a large part of the cost of a small request.
//
// What a protocol sees does not change: the order of bytes on each
// connection, LoseConnection after Write (the close waits for the send),
// AbortConnection (the bytes never go), back-pressure (what the socket
// refuses waits for writability as before). One thing does: Buffered counts
// a Write's bytes until the end of the turn. The turn's output is copied
// into one buffer the reactor keeps (up to 1 MiB), so connections hold no
// buffer between turns.
//
// It needs io_uring (Linux); where the kernel has none or refuses it (a
// container's seccomp filter) the reactor writes as it otherwise would.
// BatchedIO says which. Connections' writes inside ConnectionMade, TLS
// connections and file transfers are not batched.
func WithBatchedIO(on bool) Option {
	return func(c *config) { c.batched, c.batchedSet = on, true }
}

// BatchedIO reports whether the reactor batches its sends (WithBatchedIO
// asked for it and the kernel allowed it).
func (r *Reactor) BatchedIO() bool { return r.batch != nil }

// batchEntries is the ring's size: the sends one system call carries at
// most (a turn with more makes several).
const batchEntries = 256

// outSize is the shared output buffer's size. A Write that does not fit
// sends what is batched first (flushEarly); one larger than a quarter of
// it gets a buffer of its own (an allocation, for a large answer).
const outSize = 256 << 10

// maxSend bounds one send entry (its length rides in the tag); the socket
// takes far less at once anyway, and the rest waits as after a short send.
const maxSend = 1<<30 - 1

// sendFlags: never wait for room (the loop must not block), and no SIGPIPE
// from a peer that has gone (the send reports EPIPE instead).
const sendFlags = unix.MSG_DONTWAIT | unix.MSG_NOSIGNAL

// Completion tags: the kind of request in the top bits, then a length or
// an arena slot, then an index into the batch.
const (
	tagSend uint64 = 0
	tagRecv uint64 = 1 << 62
)

func sendTag(i, n int) uint64 { return tagSend | uint64(n)<<32 | uint64(uint32(i)) }

// ioBatch is the connections whose Writes wait for the end of the turn,
// and the ring that sends them.
type ioBatch struct {
	ring  *uring.Ring
	conns []*Conn // each at most once (fBatched)
	spare []*Conn // the other list, swapped with conns during a flush

	// out holds the turn's batched output, every connection's after the
	// other's, so that a connection keeps no buffer of its own between
	// turns: its wbuf is a slice of out, cut to its length (an append by
	// anyone else copies it out). Reset when a flush has sent everything.
	out  []byte
	last *Conn // whose bytes end out: its next Write extends them in place

	reads []*Conn    // readable connections set aside by the dispatch (batch_read.go)
	arena []byte     // what their receives share, made on first use
	done  []recvDone // their completions, read before any is handed over
}

// newBatch makes the ring, or returns nil where there is none.
func newBatch(cfg *config) *ioBatch {
	on := cfg.batched
	if !cfg.batchedSet {
		on = os.Getenv(BatchEnv) == "1"
	}
	if !on {
		return nil
	}
	ring, err := uring.New(batchEntries)
	if err != nil {
		return nil
	}
	return &ioBatch{ring: ring}
}

func (b *ioBatch) close() {
	if b != nil {
		b.ring.Close()
	}
}

// flushWrites sends every connection's batched output, and goes on while
// the callbacks this runs (a failed connection's ConnectionLost, a
// producer asked for more) batch more.
func (r *Reactor) flushWrites() {
	b := r.batch
	if b == nil || len(b.conns) == 0 {
		return
	}
	for b != nil && len(b.conns) > 0 {
		r.sendAll()
		r.runEndings()
		b = r.batch
	}
}

// sendAll sends every batched connection now, and empties the shared
// buffer. It runs no callback (sent queues what needs one), so it may run
// inside one: a Write that finds the shared buffer full (flushEarly).
func (r *Reactor) sendAll() {
	b := r.batch
	conns := b.conns
	b.conns = b.spare[:0]
	r.sendBatch(conns)
	clear(conns)
	if r.batch == nil {
		return // batchFailed
	}
	b.spare = conns[:0]
	if len(b.conns) == 0 {
		b.out, b.last = b.out[:0], nil
	}
}

// sendBatch sends conns' buffers, as many per system call as the ring
// holds. A completion's tag carries the length asked for, so that it tells
// a short send (the socket is full: wait for writability) from a whole one.
func (r *Reactor) sendBatch(conns []*Conn) {
	b := r.batch
	ring := b.ring
	for start := 0; start < len(conns); {
		end := start
		for ; end < len(conns) && ring.Space() > 0; end++ {
			conns[end].prepSend(ring, end)
		}
		if err := ring.Submit(); err != nil {
			r.batchFailed(conns[start:end], err)
			return
		}
		r.reapSends(conns)
		start = end
	}
}

// prepSend queues c's batched output as entry i, unless c was closed
// meanwhile (its bytes are dropped with it).
func (c *Conn) prepSend(ring *uring.Ring, i int) {
	if c.flags&fClosed != 0 {
		c.flags &^= fBatched
		return
	}
	out := c.extra.wbuf[c.extra.woff:]
	if len(out) > maxSend {
		out = out[:maxSend]
	}
	ring.PrepSend(int(c.fd), out, sendFlags, sendTag(i, len(out)))
}

// reapSends hands each of the batch's send completions (Submit has
// waited for them all) to its connection.
func (r *Reactor) reapSends(conns []*Conn) {
	ring := r.batch.ring
	for tag, res, ok := ring.Next(); ok; tag, res, ok = ring.Next() {
		conns[uint32(tag)].sent(res, int(tag>>32&maxSend))
	}
}

// batchFailed gives up on the ring after io_uring_enter itself failed
// (not a send: the kernel refused the call), which leaves unknown what was
// sent. The connections waiting are aborted, since their peers cannot be
// told the stream is whole, and the reactor writes directly from then on.
func (r *Reactor) batchFailed(waiting []*Conn, err error) {
	r.log().Error("batched sends failed; writing directly from now on", "error", err)
	b := r.batch
	r.batch = nil
	b.reads = nil
	for _, c := range append(waiting, b.conns...) {
		if c.flags&fBatched != 0 {
			c.flags &^= fBatched
			c.AbortConnection()
		}
	}
	b.conns = nil
	b.close()
}

// batchWrite starts c's batched output with data: kept by reference when
// lent (WriteShared), else copied to the end of the shared buffer.
func (c *Conn) batchWrite(data []byte, lend bool) {
	x := c.needExtra()
	b := c.r.batch
	switch {
	case lend:
		x.wbuf, x.lent = data[:len(data):len(data)], true
	case len(data) > outSize/4:
		x.wbuf = append([]byte(nil), data...)
	default:
		if len(b.out)+len(data) > cap(b.out) {
			c.r.flushEarly()
			b = c.r.batch
			if b == nil { // the ring failed: write directly
				c.write(data, false)
				return
			}
		}
		start := len(b.out)
		b.out = append(b.out, data...)
		x.wbuf, b.last = b.out[start:len(b.out):len(b.out)], c
	}
	x.woff = 0
	c.flags |= fBatched
	b.conns = append(b.conns, c)
	c.buffered()
}

// flushEarly sends what is batched because the shared buffer is full (or
// not made yet, in which case it is made).
func (r *Reactor) flushEarly() {
	b := r.batch
	if b.out == nil {
		b.out = make([]byte, 0, outSize)
		return
	}
	r.sendAll()
}

// batchAppend adds data to c's batched output in place when c's bytes end
// the shared buffer (a protocol writing an answer in pieces), and reports
// whether it did; otherwise buffer copies them out.
func (c *Conn) batchAppend(data []byte) bool {
	b := c.r.batch
	x := c.extra
	if b.last != c || x.lent || len(b.out)+len(data) > cap(b.out) {
		return false
	}
	start := len(b.out) - len(x.wbuf)
	b.out = append(b.out, data...)
	x.wbuf = b.out[start:len(b.out):len(b.out)]
	c.buffered()
	return true
}

// inOut reports whether p lies in the shared buffer, which the next turn
// overwrites.
func (b *ioBatch) inOut(p []byte) bool {
	if cap(b.out) == 0 || len(p) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b.out[:1])))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return at >= base && at < base+uintptr(cap(b.out))
}

// sent takes the result of c's batched send of asked bytes: a byte count,
// or a negated errno. It calls nothing back: what must follow (a close
// that waited for the output, ConnectionLost after an error, a producer to
// ask for more) is queued for the end of the phase, so that a send may
// happen inside another connection's callback (flushEarly).
func (c *Conn) sent(res int32, asked int) {
	c.flags &^= fBatched
	if c.flags&fClosed != 0 {
		return // closed meanwhile (a callback earlier in the batch)
	}
	n := int(res)
	if res < 0 {
		switch errno := unix.Errno(-res); errno {
		case unix.EAGAIN, unix.EINTR:
			n = 0
		default:
			c.fail(errno)
			return
		}
	}
	x := c.extra
	x.woff += n
	switch {
	case x.woff == len(x.wbuf):
		x.wbuf, x.woff, x.lent = nil, 0, false
		switch {
		case c.flags&fWriteShutting != 0 || x.producer != nil:
			c.r.atEndOfPhase(afterBatch{c})
		case c.flags&fDisconnecting != 0:
			c.queueLost()
		default:
			c.sync()
		}
	case n == asked && n < maxSend:
		// More was written after the send was queued: send it with the
		// next round.
		c.flags |= fBatched
		c.r.batch.conns = append(c.r.batch.conns, c)
	default:
		// The socket is full: the rest waits for writability, in a
		// buffer of the connection's own if it was in the shared one.
		if c.r.batch.inOut(x.wbuf) {
			x.wbuf, x.woff = append([]byte(nil), x.wbuf[x.woff:]...), 0
		}
		c.sync()
	}
}

// afterBatch finishes, at the end of the phase, what a connection's
// output held back once the batch has sent it all: a write-side shutdown,
// or a producer to ask for more; what a writability event would do.
type afterBatch struct{ c *Conn }

func (a afterBatch) endOfPhase() {
	c := a.c
	if c.flags&(fClosed|fBatched) != 0 || c.pending() {
		return // ended, or more output since: its own send finishes it
	}
	if err := c.r.doWrite(c); err != nil {
		c.r.disconnect(int(c.fd), c, err, false)
	}
}
