package reactor

import (
	"net"
	"unsafe"

	"golang.org/x/sys/unix"

	"gyre/internal/sock"
	"gyre/reactor/internal/uring"
)

// Batched sends (WithBatchedIO). A connection's Write appends its bytes to
// the reactor's shared output buffer and gives the connection an item in
// the batch (fBatched); at the end of the turn (flushWrites) one
// io_uring_enter sends every item. Whatever the socket does not take moves
// into the connection's own buffer and waits for writability, as a direct
// write's rest does.

// outSize is the shared output buffer's size. A Write that does not fit
// sends what is batched first (addItem).
const outSize = 64 << 10

// maxBatched is the largest Write the batch takes. A larger one is written
// at once, as without the batch: one system call already carries many
// bytes, and batching it would cost a copy of them (made for each Write:
// a TLS connection sending a large poem, which writes each chunk's records
// in one Write, halved its throughput copying and collecting them).
const maxBatched = outSize / 4

// maxSend bounds one send (an entry's length is 32 bits); the socket
// takes far less at once anyway, and the rest waits as after a short send.
const maxSend = 1<<30 - 1

// batchItem is one connection's output in the batch.
type batchItem struct {
	c       *Conn  // nil once the bytes moved to a later item
	buf     []byte // a slice of out (cut to its length), or lent bytes
	lent    bool   // buf is the caller's (WriteShared)
	closing bool   // prepSend linked a discard after the send: a close is to follow
}

// item returns c's item (c is fBatched). It is the last one unless c's
// protocol wrote to other connections since; then it is looked for.
func (b *ioBatch) item(c *Conn) *batchItem {
	for i := len(b.items) - 1; i >= 0; i-- {
		if b.items[i].c == c {
			return &b.items[i]
		}
	}
	panic("reactor: a batched connection without its item")
}

// batchWrite adds data to c's batched output.
func (c *Conn) batchWrite(data []byte, lend bool) {
	b := c.r.batch
	if c.flags&fBatched == 0 {
		c.addItem(data, lend)
		return
	}
	it := b.item(c)
	last := it == &b.items[len(b.items)-1]
	switch {
	case len(it.buf)+len(data) > outSize || (!lend && len(data) > maxBatched):
		// A large answer written in pieces (a producer's loop), or a
		// Write too large to batch: send what waits now, as direct
		// writes would have, so that the socket holds what it takes and
		// the connection's own buffer (which paces a producer) the rest.
		// Then write data again (a large one goes at once: addItem).
		c.r.sendAll()
		c.write(data, lend)
	case last && b.endsOut(it.buf) && len(b.out)+len(data) <= cap(b.out):
		// The common case: an answer written in pieces. Extend in place.
		start := len(b.out) - len(it.buf)
		b.out = append(b.out, data...)
		it.buf = b.out[start:len(b.out):len(b.out)]
	default:
		// Another connection's bytes follow c's (or c's are lent): copy
		// them to the end of the shared buffer, data after them, and
		// give c a new item there. The old copy stays unused until the
		// flush; moving costs no allocation. Where the buffer or the
		// list is full, what is batched goes first, c's bytes with it.
		if len(b.out)+len(it.buf)+len(data) > cap(b.out) || len(b.items) >= batchEntries {
			c.r.sendAll()
			c.write(data, lend)
			return
		}
		start := len(b.out)
		b.out = append(append(b.out, it.buf...), data...)
		it.c, it.buf = nil, nil
		b.items = append(b.items, batchItem{c: c, buf: b.out[start:len(b.out):len(b.out)]})
	}
}

// addItem gives c an item with data: kept by reference when lent, else
// copied into the shared buffer. A large Write is not batched: c has no
// output waiting in the batch, so writing it now keeps c's bytes in order.
func (c *Conn) addItem(data []byte, lend bool) {
	if !lend && len(data) > maxBatched {
		c.writeNow(data, false)
		return
	}
	b := c.r.batch
	if len(b.items) >= batchEntries || (!lend && len(b.out)+len(data) > cap(b.out)) {
		// What is batched goes now: the list never holds more than one
		// system call carries (ten thousand connections written to in
		// one turn cost no list of ten thousand), and the shared buffer
		// never grows.
		if c.r.sendAll(); c.r.batch == nil {
			c.write(data, lend) // the ring failed: write directly
			return
		}
	}
	it := batchItem{c: c, lent: lend}
	if lend {
		it.buf = data[:len(data):len(data)]
	} else {
		start := len(b.out)
		b.out = append(b.out, data...)
		it.buf = b.out[start:len(b.out):len(b.out)]
	}
	b.items = append(b.items, it)
	c.flags |= fBatched
}

// endsOut reports whether p ends the shared buffer.
func (b *ioBatch) endsOut(p []byte) bool {
	return len(p) > 0 && b.inOut(p) && unsafe.SliceData(p) == unsafe.SliceData(b.out[len(b.out)-len(p):])
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

// flushWrites sends the batched output, and goes on while what that
// finishes at the end of the phase (a ConnectionLost, a producer asked
// for more) batches more.
func (r *Reactor) flushWrites() {
	for b := r.batch; b != nil && len(b.items) > 0; b = r.batch {
		r.sendAll()
		r.runEndings()
	}
}

// sendAll sends every item now and empties the shared buffer. It runs no
// callback (sent queues what needs one), so it may run inside one: a Write
// that finds the shared buffer full (addItem).
func (r *Reactor) sendAll() {
	b := r.batch
	items := b.items
	b.items = b.spare[:0]
	r.sendItems(items)
	clear(items)
	if r.batch != nil { // else batchFailed
		b.spare = items[:0]
		b.out = b.out[:0]
	}
}

// sendItems sends items, as many per system call as the ring holds, or a
// lone one directly (sendAlone).
func (r *Reactor) sendItems(items []batchItem) {
	if len(items) == 1 && r.sendAlone(&items[0]) {
		return
	}
	ring := r.batch.ring
	for start := 0; start < len(items); {
		end := start
		for ; end < len(items) && ring.Space() > 0; end++ {
			r.prepSend(ring, items, end)
		}
		if err := ring.Submit(); err != nil {
			r.batchFailed(items[start:], err)
			return
		}
		for tag, res, ok := ring.Next(); ok; tag, res, ok = ring.Next() {
			it := &items[tagIndex(tag)]
			switch tag & tagKind {
			case tagSend:
				it.c.sent(it, res)
			case tagDiscard:
				it.c.discarded(it, res)
			}
		}
		if err := r.closeItems(ring, items[start:end], start); err != nil {
			r.batchFailed(items[end:], err)
			return
		}
		start = end
	}
}

// closeItems closes, in one more submission, the connections of items
// (the first is items' index first) whose send and discard let them
// close: all of their output went, and their peer had left no input (see
// discarded). The close cannot be linked after the discard in the first
// submission: a link runs what follows only when the discard succeeds,
// that is when input was waiting, the one case where the close must not
// happen at once.
// It returns the ring's error, after which the caller gives the ring up.
func (r *Reactor) closeItems(ring *uring.Ring, items []batchItem, first int) error {
	n := 0
	for i := range items {
		if it := &items[i]; it.closing {
			ring.PrepClose(int(it.c.fd), tagClose|uint64(first+i))
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if err := ring.Submit(); err != nil {
		// Their output has gone whole: they close the direct way.
		for i := range items {
			if it := &items[i]; it.closing {
				it.closing = false
				it.c.queueLost()
			}
		}
		return err
	}
	for tag, res, ok := ring.Next(); ok; tag, res, ok = ring.Next() {
		it := &items[tagIndex(tag)-first]
		it.c.closedByRing(it, res)
	}
	return nil
}

// prepSend queues item i, unless its connection was closed meanwhile (its
// bytes are dropped with it). A connection that is to close once its
// output is sent (LoseConnection) has its unread input dropped in the same
// submission (so that the close sends the end of the stream, not a reset:
// see discardInput), linked after the send, which asks for all of its
// bytes (MSG_WAITALL, so that a short one breaks the chain and the input
// stays, still without waiting); the close follows in the next submission
// (closeItems). Four system calls per such connection become a share of
// two.
func (r *Reactor) prepSend(ring *uring.Ring, items []batchItem, i int) {
	it := &items[i]
	c, out := pending(it)
	if c == nil {
		return
	}
	if !r.batch.linkedClose || !c.closesAfterSend() || ring.Space() < 2 {
		ring.PrepSend(int(c.fd), out, sendFlags, tagSend|uint64(i))
		return
	}
	c.unwatch() // while the descriptor is still open
	it.closing = true
	fd := int(c.fd)
	// MSG_MORE holds the last partial segment back for the close's FIN.
	ring.PrepSend(fd, out, closingSendFlags, tagSend|uint64(i))
	ring.Link(false)
	ring.PrepDiscard(fd, maxDiscardOnClose, tagDiscard|uint64(i))
}

// sendAlone sends the only item of a flush with write(2), unless a close
// is to follow its send (then it reports false and the ring carries the
// send and the discard in one call, the close in another). A lone send is one system
// call either way, and the direct one costs less: 0.25-0.3 µs here
// (BenchmarkSendOneDirect against BenchmarkSendOne).
func (r *Reactor) sendAlone(it *batchItem) bool {
	c, out := pending(it)
	if c == nil {
		return true
	}
	if r.batch.linkedClose && c.closesAfterSend() {
		return false
	}
	n, err := sock.Write(int(c.fd), out)
	res := int32(n)
	if errno, ok := err.(unix.Errno); ok {
		res = -int32(errno)
	}
	c.sent(it, res)
	return true
}

// pending returns the connection of it and the bytes to send now, or a
// nil connection if it was closed since it wrote (the bytes are dropped
// with it).
func pending(it *batchItem) (*Conn, []byte) {
	c := it.c
	if c == nil {
		return nil, nil
	}
	if c.flags&fClosed != 0 {
		c.flags &^= fBatched
		it.c = nil
		return nil, nil
	}
	return c, it.buf[:min(len(it.buf), maxSend)]
}

// closesAfterSend reports whether c is to be closed as soon as its output
// is sent, with nothing to ask or shut first, and is a TCP connection (the
// ring's discard relies on TCP not copying what it drops). A connection
// that has heard from its peer closes the ordinary way, which lingers
// (linger.go).
func (c *Conn) closesAfterSend() bool {
	// A connection armed to reset (WithResetOnExit) closes through shut,
	// which disarms it first.
	if c.talked&talkedIn != 0 || c.flags&(fDisconnecting|fWriteShutting|fSetup|fResetOnExit) != fDisconnecting ||
		(c.extra != nil && (c.extra.producer != nil || c.extra.woff != len(c.extra.wbuf))) {
		return false
	}
	_, tcp := c.peer.(*net.TCPAddr)
	return tcp
}

// sent takes the result of the send of it: a byte count, or a negated
// errno. It calls nothing back: what must follow (a close that
// waited for the output, ConnectionLost after an error, a producer to ask
// for more) is queued for the end of the phase, so that a send may happen
// inside another connection's callback (addItem).
func (c *Conn) sent(it *batchItem, res int32) {
	c.flags &^= fBatched
	if c.flags&fClosed != 0 {
		return // closed meanwhile
	}
	n := int(res)
	if n != len(it.buf) {
		it.closing = false // the chain broke: the discard was cancelled
	}
	if res < 0 {
		switch errnoOf(res) {
		case unix.EAGAIN, unix.EINTR:
			n = 0
		default:
			c.fail(errnoOf(res))
			return
		}
	}
	if n < len(it.buf) {
		c.keepRest(it, n)
		return
	}
	switch {
	case it.closing:
		// The discard that followed in the chain, and the close after
		// it, finish it (discarded, closeItems).
	case c.flags&fWriteShutting != 0 || (c.extra != nil && c.extra.producer != nil):
		c.r.atEndOfPhase(afterBatch{c})
	case c.flags&fDisconnecting != 0:
		c.queueLost()
	default:
		c.sync()
	}
}

// keepRest makes what the socket did not take of it c's own buffer, to go
// out at writability: by reference, unless it lies in the shared buffer,
// which the next turn overwrites (lent bytes stay marked as the caller's).
func (c *Conn) keepRest(it *batchItem, n int) {
	x := c.needExtra()
	rest := it.buf[n:]
	if c.r.batch.inOut(rest) {
		rest = append([]byte(nil), rest...)
	}
	x.wbuf, x.woff, x.lent = rest, 0, it.lent
	c.sync()
}

// discarded takes the result of the discard linked after a send that
// finished (a send that did not has cancelled it). A peer that had left
// input unread may still be sending, and closing now would answer it with
// a reset, which throws away what the socket has not sent yet: the end of
// the answer, and the peer may even read a clean end of file before it.
// Such a connection closes the ordinary way instead, which lingers
// (linger.go), as a direct close that finds input waiting does. Any
// other result (nothing waiting, the end of the stream, an error) lets
// closeItems close it.
func (c *Conn) discarded(it *batchItem, res int32) {
	if !it.closing || res <= 0 {
		return
	}
	it.closing = false
	c.talked |= talkedIn // its close lingers (lingers)
	c.queueLost()
}

// closedByRing takes the result of the close closeItems made.
func (c *Conn) closedByRing(it *batchItem, res int32) {
	if !it.closing {
		return
	}
	c.flags |= fClosed
	c.ending = endDone
	c.queueLost()
}

// afterBatch finishes, at the end of the phase, what a connection's
// output held back once the batch has sent it all: a write-side shutdown,
// or a producer to ask for more; what a writability event would do.
type afterBatch struct{ c *Conn }

func (a afterBatch) endOfPhase() {
	c := a.c
	if c.flags&(fClosed|fBatched) != 0 || c.pendingOwn() {
		return // ended, or more output since: its own send finishes it
	}
	if err := c.r.doWrite(c); err != nil {
		c.r.disconnect(int(c.fd), c, err, false)
	}
}
