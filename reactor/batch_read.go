package reactor

import (
	"golang.org/x/sys/unix"

	"gyre/deferred"
)

// Batched receives (WithBatchedIO). When a wait reports several
// connections readable, the dispatch does not read each one in turn: it
// sets them aside, and once it has gone through the events the reactor
// receives for all of them in one io_uring_enter(2), into slices of one
// arena, then hands each connection its bytes in the order of the events.
//
// Between the receive and the hand-over, a callback (another connection's
// DataReceived) may pause a connection whose bytes are already read. They
// are then kept (connExtra.stash) and handed over when it resumes, before
// anything read later: a paused connection still gets no DataReceived.
// A connection closed meanwhile has its bytes dropped, as a close drops
// unread input.

const (
	readArena    = 128 << 10 // the arena one batch of receives shares
	minReadChunk = 2 << 10   // the least one receive asks for
)

// notReading: a connection with any of these flags takes no input (what
// arrives is dropped when it closes); a paused one takes it later.
const notReading = fClosed | fConnecting | fDisconnecting | fReadClosed

// readable reports whether a read of c would do anything now.
func (c *Conn) readable() bool {
	return c.flags&(notReading|fPaused) == 0
}

// deferRead sets c aside for the batch of receives, or reports false if it
// must be read now: it holds bytes kept from an earlier batch, which go
// first.
func (b *ioBatch) deferRead(c *Conn) bool {
	if x := c.extra; x != nil && len(x.stash) > 0 {
		return false
	}
	b.reads = append(b.reads, c)
	return true
}

// recvDone is one receive's completion, kept until all of the batch's are
// read: handing bytes over runs callbacks, which may send through the same
// ring (addItem's early sendAll).
type recvDone struct {
	i, slot int
	res     int32
}

// readBatch receives for the connections the dispatch set aside, as many
// per system call as the arena and the ring hold, and hands each its
// bytes. A receive's tag is the connection's index and its arena slot.
func (r *Reactor) readBatch() {
	b := r.batch
	conns := b.reads
	switch len(conns) {
	case 0:
		return
	case 1:
		// One receive alone is cheaper as a read(2) than as a submission
		// of its own (BenchmarkRecvOneDirect against BenchmarkRecvOne):
		// the ring pays for itself from two.
		c := conns[0]
		conns[0] = nil
		b.reads = conns[:0]
		r.readNow(c)
		return
	}
	for start := 0; start < len(conns) && r.batch != nil; {
		n := min(len(conns)-start, b.ring.Space(), readArena/minReadChunk)
		size := min(readArena/n, r.readSize)
		b.done = b.done[:0]
		for i := range n {
			c := conns[start+i]
			if c.readable() {
				b.ring.PrepRecv(int(c.fd), b.arena[i*size:(i+1)*size], unix.MSG_DONTWAIT, tagRecv|uint64(i)<<32|uint64(start+i))
			}
		}
		if err := b.ring.Submit(); err != nil {
			r.batchFailed(nil, err)
			for _, c := range conns[start:] {
				if c.readable() {
					r.disconnect(int(c.fd), c, lostBy(err), true)
				}
			}
			break
		}
		// All completions are read before any bytes are handed over: the
		// callbacks may send through the same ring (addItem's early
		// sendAll).
		for tag, res, ok := b.ring.Next(); ok; tag, res, ok = b.ring.Next() {
			b.done = append(b.done, recvDone{i: tagIndex(tag), slot: tagSlot(tag), res: res})
		}
		for _, d := range b.done {
			c := conns[d.i]
			data := b.arena[d.slot*size : d.slot*size+max(int(d.res), 0)]
			if err := r.received(c, d.res, data); err != nil {
				r.disconnect(int(c.fd), c, err, true)
			}
		}
		start += n
	}
	clear(conns)
	b.reads = conns[:0]
}

// received is DoRead for a batched receive: its result and its bytes.
func (r *Reactor) received(c *Conn, res int32, data []byte) (err error) {
	if c.flags&notReading != 0 {
		return nil // closing: the input is dropped, as on a close
	}
	if res < 0 {
		switch errnoOf(res) {
		case unix.EAGAIN, unix.EINTR:
			return nil // level-triggered: the next wait says so again
		default:
			return lostBy(errnoOf(res))
		}
	}
	if res > 0 {
		c.talked |= talkedIn
	}
	if c.flags&fPaused != 0 {
		// Paused since the receive by a callback of this batch.
		if len(data) > 0 {
			x := c.needExtra()
			x.stash = append(x.stash, data...)
		}
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), c, &err)
		}
	}()
	if res == 0 {
		return c.readEnded()
	}
	c.proto.DataReceived(data)
	return nil
}

// deliverStash hands a resumed connection the bytes kept for it while it
// was paused, and reports whether there were any.
func (c *Conn) deliverStash() bool {
	x := c.extra
	if x == nil || len(x.stash) == 0 {
		return false
	}
	data := x.stash
	x.stash = nil
	c.proto.DataReceived(data)
	return true
}

// stashDelivery is the end-of-phase work that hands a connection resumed
// by ResumeProducing the bytes kept for it, even if the socket has nothing
// more to report readable.
type stashDelivery struct{ c *Conn }

// DoRead delivers them (it serves kept bytes before the socket), unless c
// is paused again or closing by then.
func (s stashDelivery) endOfPhase() {
	c := s.c
	if x := c.extra; x == nil || len(x.stash) == 0 {
		return // delivered already, by a readiness event
	}
	c.r.readNow(c)
}

// readNow reads c outside the dispatch (its own read(2), or its kept
// bytes), and drops it if that fails, as the dispatch would.
func (r *Reactor) readNow(c *Conn) {
	if err := r.doRead(c); err != nil {
		r.disconnect(int(c.fd), c, err, true)
	}
}
