package basic

import "gyre/reactor"

// stream is the input side every pausable framer shares: what has been
// received and not delivered yet, and the state of the delivery loop.
//
// Frames are cut from cur[pos:], where cur is either the read the reactor
// handed to DataReceived (nothing copied: the fast path) or buf, the
// framer's own buffer. buf holds what was left over from earlier reads:
// normally the start of one frame, which the next read completes by
// appending only the bytes that frame still needs (splitter.need), before
// the rest of that read is delivered straight from it. So buf stays about
// one frame long, and a whole read is copied only when it does not finish
// the frame. The loop re-reads cur and pos after every callback, so a
// handler may pause, switch modes, clear the buffer or feed more data from
// inside its callback.
type stream struct {
	buf     []byte // undelivered input kept between reads (owned)
	cur     []byte // the input being delivered: a read, or buf
	pos     int    // cur[:pos] has been consumed
	tail    []byte // the part of a read still to come after buf's frame
	hint    int    // cur[pos:pos+hint] was searched already without result
	partial bool   // buf holds exactly the start of one frame
	gen     uint32 // counts the changes of cur other than consuming
	busy    bool   // inside the delivery loop
	paused  bool   // PauseProducing: deliver nothing until ResumeProducing
	done    bool   // the framer gave up (bad input, lost): deliver nothing more
}

// splitter cuts frames for a stream.
//
// next cuts a frame (or, where it is safe, several in a row) from the
// front of p: it advances s.pos past what it consumed before calling the
// user's handler, and reports false when p holds no whole frame (having
// checked the limit on the partial one).
//
// need reports how many bytes from the front of data complete the partial
// frame in buf (which next has refused as incomplete), or -1 if data does
// not complete it or it cannot tell cheaply.
type splitter interface {
	next(s *stream, p []byte) bool
	need(buf, data []byte) int
}

// keepCap is the capacity of buf kept while it is empty: larger buffers
// (a long frame just delivered) are released so idle connections stay
// small.
const keepCap = 16 << 10

// feed delivers data, unless t is going away (see closing). Inside the
// loop (a handler feeding the framer from its own callback), the data is
// queued behind what is left of the input, and the loop checks t itself.
func (s *stream) feed(data []byte, t reactor.Transport, f splitter) {
	if s.busy {
		s.insert(nil, data)
		return
	}
	if s.closing(t) {
		return
	}
	if len(s.buf) > 0 {
		k := -1
		if s.partial && !s.paused {
			k = f.need(s.buf, data)
		}
		if k < 0 {
			s.buf = append(s.buf, data...)
			s.run(s.buf, f)
			return
		}
		// Complete the frame in buf, deliver it, then the rest of the
		// read in place (unless a callback paused, stopped or queued
		// input, which insert has then moved into buf, tail included).
		s.buf = append(s.buf, data[:k]...)
		s.tail = data[k:]
		s.run(s.buf, f)
		data, s.tail = s.tail, nil
		if len(s.buf) > 0 || s.paused || s.done {
			s.buf = append(s.buf, data...)
			s.run(s.buf, f)
			return
		}
	}
	s.run(data, f)
}

// resume delivers what was kept while paused (not from inside the loop,
// which goes on by itself once paused is cleared), unless t has begun to
// close meanwhile: a timer, a policy or a relay's other side may close a
// paused connection, and the reactor still resumes its producer once the
// buffer drains.
func (s *stream) resume(t reactor.Transport, f splitter) {
	s.paused = false
	if !s.busy && len(s.buf) > 0 && !s.closing(t) {
		s.run(s.buf, f)
	}
}

// run is the delivery loop over p, then keeps what is left in buf.
func (s *stream) run(p []byte, f splitter) {
	s.cur, s.pos, s.busy = p, 0, true
	defer s.abandon()
	partial := false
	for !s.paused && !s.done && s.pos < len(s.cur) {
		if !f.next(s, s.cur[s.pos:]) {
			partial = true
			break
		}
	}
	rest := s.cur[s.pos:]
	if s.done {
		rest = nil
	}
	s.partial = partial && !s.done
	// rest may lie in buf itself: append's copy is a memmove, and the
	// destination starts at or before the source.
	s.buf = append(s.buf[:0], rest...)
	if len(s.buf) == 0 && cap(s.buf) > keepCap {
		s.buf = nil
	}
	s.cur, s.pos, s.busy = nil, 0, false
}

// abandon leaves the loop after a handler panicked out of it (the reactor
// recovers the panic; the framer must not stay "inside the loop" for ever):
// it delivers nothing more.
func (s *stream) abandon() {
	if s.busy {
		s.busy, s.done = false, true
		s.cur, s.tail, s.buf = nil, nil, nil
	}
}

// closing stops the delivery for good, as the framer's own LoseConnection
// does, once t is going away (reactor.Transport.Disconnecting): a handler
// closed the connection through its transport, as code written for
// Twisted does (self.transport.loseConnection()), and the frames after the
// one that told it to close ("QUIT", then "DELETE x" in the same read)
// must not be acted on; or something outside any handler closed it while
// the framer held frames back (paused), which must not be acted on either.
// Called after each handler call, and before the delivery starts (feed,
// resume, prepend): one interface call per frame and per read, no
// allocation.
func (s *stream) closing(t reactor.Transport) bool {
	if t != nil && t.Disconnecting() {
		s.done = true
	}
	return s.done
}

// consume marks n more bytes of the current input as delivered.
func (s *stream) consume(n int) {
	s.pos += n
	s.hint = 0
}

// dropTail drops the rest of the read that follows buf's frame, for a
// framer that gives up on everything after the front of p, and returns p
// with that rest (copied only when there was some). Without this a frame
// completed from buf would drop less than the same frame cut from one
// read.
func (s *stream) dropTail(p []byte) []byte {
	if len(s.tail) == 0 {
		return p
	}
	all := append(append(make([]byte, 0, len(p)+len(s.tail)), p...), s.tail...)
	s.tail = nil
	return all
}

// insert makes the undelivered input front + (rest of the current input)
// + back, from inside the loop. Rare (re-entrant feeding, mode switches
// with extra data that unconsume cannot take back), so it allocates a
// fresh buffer: the old one may still hold the frame a handler is looking
// at.
func (s *stream) insert(front, back []byte) {
	rest := s.cur[s.pos:]
	nb := make([]byte, 0, len(front)+len(rest)+len(s.tail)+len(back))
	nb = append(append(append(append(nb, front...), rest...), s.tail...), back...)
	s.buf, s.cur, s.pos, s.hint, s.tail = nb, nb, 0, 0, nil
	s.gen++
}

// prepend puts front before the undelivered input and goes on
// delivering (the loop does, when inside it), unless t is going away.
func (s *stream) prepend(front []byte, t reactor.Transport, f splitter) {
	if s.busy {
		if !s.unconsume(front) {
			s.insert(front, nil)
		}
		return
	}
	if s.closing(t) {
		return
	}
	nb := make([]byte, 0, len(front)+len(s.buf))
	s.buf = append(append(nb, front...), s.buf...)
	s.hint, s.partial = 0, false
	if !s.paused {
		s.run(s.buf, f)
	}
}

// unconsume moves the position back over front, from inside the loop,
// when front is the very bytes consumed last (the same memory, ending
// where the undelivered input begins): front + the rest is then already
// in place. It is the common case of SetLineMode(extra), a handler giving
// back the end of the raw data it was handed, and copying the rest of the
// read there instead would cost an allocation per record and time
// quadratic in the records per read.
func (s *stream) unconsume(front []byte) bool {
	n := len(front)
	if n == 0 || n > s.pos || &front[n-1] != &s.cur[s.pos-1] {
		return false
	}
	s.pos -= n
	s.hint = 0
	s.gen++
	return true
}

// take removes and returns all the undelivered input (valid until the
// framer next runs).
func (s *stream) take() []byte {
	var rest []byte
	if s.busy {
		rest = s.cur[s.pos:]
		if len(s.tail) > 0 {
			rest = append(append([]byte(nil), rest...), s.tail...)
			s.tail = nil
		}
		s.pos = len(s.cur)
		s.gen++
	} else {
		rest = s.buf
		s.buf = nil
	}
	s.hint, s.partial = 0, false
	return rest
}

// pending returns how many received bytes wait undelivered.
func (s *stream) pending() int {
	if s.busy {
		return len(s.cur) - s.pos + len(s.tail)
	}
	return len(s.buf)
}
