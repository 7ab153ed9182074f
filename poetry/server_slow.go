package poetry

import (
	"net"
	"time"

	"gyre/reactor"
)

// SlowServerFactory serves its poem the way the tutorial's slow server
// does: numBytes characters (see ChunkLen) every delay, the first chunk as
// soon as the client connects, and the connection closed one delay after
// the last chunk.
//
// The schedule is absolute: chunk k of a client is due at connect + k ×
// delay, whenever the previous one actually went out, so a late turn of
// the loop does not push every later chunk back (a chunk that is late is
// sent as soon as possible, and the next one is still due on time).
// "connect" is when the kernel completed the handshake, if the transport
// can tell (reactor.AcceptDelayer): a client that waited in the listen
// queue during a burst of connects is not served late for the whole poem.
//
// All of a factory's clients share one timer. They wait in a queue ordered
// by due time (dueQueue), the timer is set for the earliest, and each tick
// serves the clients that are due, earliest first. Per client this costs
// the connection, a 48-byte protocol and a 16-byte queue entry: no
// DelayedCall, no closure. A client that goes away is marked gone and
// falls out of the queue when its entry comes up (within one delay); when
// the last client goes, the timer is stopped.
//
// The factory schedules on clock, so it serves the ports of that clock's
// reactor only (make one factory per reactor); tests can drive it with a
// task.Clock.
type SlowServerFactory struct {
	clock    reactor.Clock
	poem     []byte
	numBytes int
	delay    time.Duration
	observe  func(Served)

	base    time.Time            // due times are nanoseconds since base
	queue   dueQueue             // clients waiting, earliest due first
	live    int                  // clients connected
	timer   *reactor.DelayedCall // the tick: pending while clients wait, rearmed after it runs
	timerAt int64                // when the pending tick is due
	tick    func()
}

// NewSlowServerFactory returns a factory serving poem (not copied) numBytes
// characters (at least one) every delay, scheduled on clock.
func NewSlowServerFactory(clock reactor.Clock, poem []byte, numBytes int, delay time.Duration, opts ...ServerOption) *SlowServerFactory {
	cfg := serverOptions(opts)
	f := &SlowServerFactory{
		clock:    clock,
		poem:     poem,
		numBytes: max(numBytes, 1),
		delay:    max(delay, 0),
		observe:  cfg.observe,
		base:     clock.Now(),
	}
	f.tick = f.run
	return f
}

// Clients returns how many clients are connected.
func (f *SlowServerFactory) Clients() int { return f.live }

// BuildProtocol makes the protocol for one client.
func (f *SlowServerFactory) BuildProtocol(net.Addr) reactor.Protocol {
	return &slowProtocol{f: f}
}

// slowProtocol states.
const (
	slowSending uint8 = iota // chunks remain
	slowClosing              // all sent; close when due
	slowGone                 // closed or lost: skip when met in the queue
	slowPaused               // the socket is full: out of the queue until resumed
)

// slowProtocol is one client: 48 bytes, so that ten thousand of them take
// 480 KB. The next chunk (or the close) is due at start + steps × delay:
// the due time is computed, not stored.
type slowProtocol struct {
	t      reactor.Transport
	f      *SlowServerFactory
	start  int64  // connect time, nanoseconds since f.base
	sent   int    // bytes of the poem written
	steps  uint32 // chunks sent so far (and the close, once done)
	state  uint8
	paused uint8 // the state to resume in (slowSending or slowClosing)
	queued bool  // has an entry in the factory's queue
	// watched: registered as its connection's producer (watchBuffer)
	watched bool
}

// due is when the next chunk (or the close) is due, in nanoseconds since
// f.base.
func (p *slowProtocol) due() int64 { return p.start + int64(p.steps)*int64(p.f.delay) }

func (p *slowProtocol) MakeConnection(t reactor.Transport) { p.t = t }

func (p *slowProtocol) ConnectionMade() {
	f := p.f
	f.live++
	// Small sends on a schedule: do not let Nagle hold one back for an
	// acknowledgement (a client may delay its ACKs by up to 40 ms).
	if tt, ok := p.t.(reactor.TCPTransport); ok {
		tt.SetNoDelay(true)
	}
	// The schedule starts when the client connected: when the kernel
	// completed the handshake, which may be a little before the accept
	// (the connection waits in the listen queue while the loop is busy).
	// The first chunk goes now regardless.
	start := f.now()
	if q, ok := p.t.(reactor.AcceptDelayer); ok {
		start -= int64(q.AcceptDelay())
	}
	p.start = start
	p.step()
	if p.state == slowSending || p.state == slowClosing {
		f.push(p)
	}
}

func (p *slowProtocol) DataReceived([]byte) {}

// ReadConnectionLost: a half-closed client still gets the whole poem.
func (p *slowProtocol) ReadConnectionLost() {}

func (p *slowProtocol) ConnectionLost(reason error) {
	f := p.f
	p.state = slowGone
	f.live--
	if f.live == 0 {
		f.idle()
	}
	if f.observe != nil {
		start := f.base.Add(time.Duration(p.start))
		f.observe(served(p.t, start, f.clock.Now(), int64(p.sent), int64(len(f.poem)), reason))
	}
}

// step does what is due now: send the next chunk, or close. It moves due
// one delay on, from when it was due, not from now.
func (p *slowProtocol) step() {
	f := p.f
	if p.state == slowClosing {
		p.state = slowGone
		p.t.UnregisterProducer()
		p.t.LoseConnection()
		return
	}
	// The chunk before may have been refused only after the last step
	// returned: a reactor that batches its writes (WithBatchedIO) sends
	// them at the end of the turn. Found now, it pauses p (watchBuffer
	// registers p as producer, and that pauses it at once) before another
	// chunk piles up behind it.
	if p.watchBuffer(); p.state == slowPaused {
		return
	}
	n := ChunkLen(f.poem[p.sent:], f.numBytes)
	p.sent += n
	if p.sent == len(f.poem) {
		p.state = slowClosing
	}
	p.steps++
	// Last: a chunk the socket refuses pauses p at once (PauseProducing),
	// and that must not be undone by the lines above.
	writeShared(p.t, f.poem[p.sent-n:p.sent])
	p.watchBuffer()
}

func (f *SlowServerFactory) now() int64 { return int64(f.clock.Now().Sub(f.base)) }

// push queues p and sets the timer if nothing was waiting or p is due
// before the tick.
func (f *SlowServerFactory) push(p *slowProtocol) {
	f.queue.add(p)
	if f.timer == nil || !f.timer.Active() || f.queue.front().at < f.timerAt {
		f.schedule()
	}
}

// schedule sets the timer for the earliest client still there.
func (f *SlowServerFactory) schedule() {
	for len(f.queue) > 0 && f.queue.front().p.state == slowGone {
		f.queue.remove()
	}
	if len(f.queue) == 0 {
		return
	}
	f.timerAt = f.queue.front().at
	d := time.Duration(f.timerAt - f.now())
	// The timer that ran last is set again: a tick allocates nothing.
	reactor.Reschedule(f.clock, &f.timer, d, f.tick)
}

// maxPerTick bounds the clients one tick serves (a small write costs a
// loopback connection some 10 µs of kernel time on a slow machine, so 256
// of them are a few milliseconds). When more are due, the next tick comes
// at once, after the loop has done its I/O: new connections are accepted
// and answered between slices of a large batch instead of waiting for all
// of it.
const maxPerTick = 256

// run is the tick: serve the clients due by now, earliest first, each at
// most once (a client so late that its next chunk is due already waits
// for the next tick, which comes at once, after the loop's I/O).
func (f *SlowServerFactory) run() {
	now := f.now()
	for n := min(len(f.queue), maxPerTick); n > 0 && len(f.queue) > 0; n-- {
		e := f.queue.front()
		if e.at > now {
			break
		}
		p := e.p
		switch {
		case p.state == slowGone || p.state == slowPaused:
			f.queue.remove() // a paused client is queued again when it resumes
			continue
		case p.due() > e.at:
			// Its schedule moved on while it waited (a pause and resume):
			// in again at its due time.
			f.queue.requeue()
			continue
		}
		p.step()
		// The step may have ended the last client's connection, and idle
		// emptied the queue: p's entry is at the front only if not.
		if len(f.queue) == 0 || f.queue.front().p != p {
			continue
		}
		if p.state == slowSending || p.state == slowClosing {
			f.queue.requeue()
		} else {
			f.queue.remove()
		}
	}
	f.schedule()
}

// idle drops the queue and the timer once no client is left.
func (f *SlowServerFactory) idle() {
	if f.timer != nil {
		f.timer.Cancel()
		f.timer = nil
	}
	f.queue.reset()
}
