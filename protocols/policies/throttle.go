package policies

import (
	"net"
	"time"

	"gyre/reactor"
)

// Throttle wraps a factory with bandwidth limits shared by all its
// connections (Twisted's ThrottlingFactory): ReadLimit and WriteLimit
// bytes per second (0: no limit), checked over windows of Window (default
// one second). A nil Clock means the reactor of the first connection.
//
// Reads are counted as they arrive; once a window's allowance is spent,
// every connection stops reading (its transport's PauseProducing) until
// the windows that follow have paid the excess off. Writes are counted in
// the transport the wrapped protocol sees; once spent, the producers
// registered on those transports are held the same way: a push producer is
// paused, a pull producer (reactor.FileSender's, say) is not asked for more
// (a protocol that writes without a producer cannot be held back, as in
// Twisted: register one). Over a long run the rate stays within the limit; the excess at any
// time is at most one read (or one write) per connection. One timer
// serves the whole factory, and only while it has connections or debt.
//
// A protocol may pause and resume its own reading (PauseProducing and
// ResumeProducing on its transport, as a relay or an echo server paced by
// its write buffer does): the throttle lifts only the pauses it made, and
// a protocol's resume takes effect once the throttle has lifted.
type Throttle struct {
	Factory    reactor.Factory
	Clock      reactor.Clock
	ReadLimit  int
	WriteLimit int
	Window     time.Duration

	// ReadThrottles and WriteThrottles count the times reading or
	// writing was held back.
	ReadThrottles, WriteThrottles uint64

	// read and written are the bytes counted and not yet paid off. They
	// are floats because a window's allowance need not be whole (5 bytes
	// a second over 100 ms windows is half a byte each): rounded down it
	// could be zero, and a debt that is never paid off holds for ever.
	read, written float64
	readHeld      bool
	writeHeld     bool
	conns         map[*throttled]struct{}
	timer         *reactor.DelayedCall // kept, and rearmed once it has run
	windowFn      func()               // f.windowEnded, bound once
}

func (f *Throttle) window() time.Duration {
	if f.Window <= 0 {
		return time.Second
	}
	return f.Window
}

// allowance is a limit per second scaled to one window.
func (f *Throttle) allowance(perSecond int) float64 {
	return float64(perSecond) * f.window().Seconds()
}

// BuildProtocol builds the wrapped factory's protocol, throttled.
func (f *Throttle) BuildProtocol(addr net.Addr) reactor.Protocol {
	inner := f.Factory.BuildProtocol(addr)
	if inner == nil {
		return nil
	}
	b := newThrottled(f)
	c := &b.throttled
	w := &wrapper{inner: inner}
	w.wrapT = func(t reactor.Transport) reactor.Transport {
		f.Clock = clockFor(f.Clock, t, "Throttle")
		pt := b.transportFor(t)
		f.join(c)
		return pt
	}
	w.onData = func(n int) { f.countRead(n) }
	w.onLost = func(error) { delete(f.conns, c) }
	return w.protocol()
}

// join counts c among the factory's connections from MakeConnection on,
// before its protocol's ConnectionMade: a protocol that registers a
// producer there and starts it at once (as Twisted's producers do) may
// spend the window before ConnectionMade returns, and a connection not
// yet counted then would not be held, and would write unthrottled until
// the debt was paid off, which its own writes kept from happening.
func (f *Throttle) join(c *throttled) {
	if f.conns == nil {
		f.conns = make(map[*throttled]struct{})
	}
	f.conns[c] = struct{}{}
	if f.readHeld {
		c.Transport.PauseProducing()
	}
	f.tick()
}

// tick makes sure the window timer runs. The timer that ran is rearmed,
// not made anew: a window ends every Window for as long as connections
// last, and costs no allocation.
func (f *Throttle) tick() {
	if f.timer != nil && f.timer.Active() {
		return
	}
	if f.windowFn == nil {
		f.windowFn = f.windowEnded
	}
	reactor.Reschedule(f.Clock, &f.timer, f.window(), f.windowFn)
}

func (f *Throttle) countRead(n int) {
	if f.ReadLimit <= 0 {
		return
	}
	f.read += float64(n)
	if !f.readHeld && f.read >= f.allowance(f.ReadLimit) {
		f.readHeld = true
		f.ReadThrottles++
		for c := range f.conns {
			c.Transport.PauseProducing()
		}
	}
	f.tick()
}

func (f *Throttle) countWrite(n int) {
	if f.WriteLimit <= 0 {
		return
	}
	f.written += float64(n)
	if !f.writeHeld && f.written >= f.allowance(f.WriteLimit) {
		f.writeHeld = true
		f.WriteThrottles++
		for c := range f.conns {
			c.hold()
		}
	}
	f.tick()
}

// windowEnded pays one window's allowance off the debt and lifts what the
// new window allows.
func (f *Throttle) windowEnded() {
	if f.ReadLimit > 0 {
		f.read = max(0, f.read-f.allowance(f.ReadLimit))
		if f.readHeld && f.read < f.allowance(f.ReadLimit) {
			f.readHeld = false
			for c := range f.conns {
				if f.readHeld {
					break // see the write side below
				}
				if !c.selfPaused {
					c.Transport.ResumeProducing()
				}
			}
		}
	}
	if f.WriteLimit > 0 {
		f.written = max(0, f.written-f.allowance(f.WriteLimit))
		if f.writeHeld && f.written < f.allowance(f.WriteLimit) {
			f.writeHeld = false
			// A producer released here may write at once and spend the
			// window again (countWrite holds every connection then):
			// those not released yet are still held, and must stay so.
			for c := range f.conns {
				if f.writeHeld {
					break
				}
				c.release()
			}
		}
	}
	if len(f.conns) > 0 || f.read > 0 || f.written > 0 {
		f.tick()
	}
}

// throttled is the transport a throttled protocol writes to: it counts the
// writes, and stands between the connection and the protocol's producer,
// so that the connection's own flow control and the throttle can both
// hold the producer without one releasing what the other holds.
//
// It has no Unwrap (reactor.TransportWrapper): a transport that unwraps is
// one that writes straight through, and reactor.FileSender would reach
// beneath it to the socket and send a file with sendfile(2), unthrottled.
// A file goes through the throttle as a pull producer instead.
type throttled struct {
	reactor.Transport
	tcpBeneath
	f *Throttle

	producer reactor.Producer
	pull     bool // producer is a pull producer
	connHeld bool // the connection paused the (push) producer: its buffer is full
	held     bool // the throttle holds it
	asked    bool // the connection asked the held pull producer for more

	selfPaused bool // the protocol paused its own reading
}

// PauseProducing stops reading for the protocol, which the throttle does
// not undo when it lifts: a protocol that pauses its reading (or registers
// its transport as its own producer) does so to bound what it buffers.
func (c *throttled) PauseProducing() {
	c.selfPaused = true
	c.Transport.PauseProducing()
}

// ResumeProducing reads again for the protocol, unless the throttle holds
// reading: windowEnded resumes it then.
func (c *throttled) ResumeProducing() {
	c.selfPaused = false
	if !c.f.readHeld {
		c.Transport.ResumeProducing()
	}
}

func (c *throttled) Write(data []byte) {
	c.f.countWrite(len(data))
	c.Transport.Write(data)
}

func (c *throttled) WriteSequence(data [][]byte) {
	n := 0
	for _, b := range data {
		n += len(b)
	}
	c.f.countWrite(n)
	c.Transport.WriteSequence(data)
}

// RegisterProducer registers p with the throttle in between.
func (c *throttled) RegisterProducer(p reactor.Producer, streaming bool) error {
	if err := reactor.CheckProducer(p, streaming); err != nil {
		return err
	}
	if c.producer != nil {
		return reactor.ErrProducerRegistered
	}
	c.producer, c.pull, c.connHeld, c.asked = p, !streaming, false, false
	c.held = c.f.writeHeld
	if c.held && streaming {
		p.(reactor.PushProducer).PauseProducing()
	}
	if err := c.Transport.RegisterProducer((*throttledProducer)(c), streaming); err != nil {
		c.producer = nil
		return err
	}
	return nil
}

// UnregisterProducer forgets the producer.
func (c *throttled) UnregisterProducer() {
	c.producer, c.held, c.connHeld, c.asked = nil, false, false, false
	c.Transport.UnregisterProducer()
}

func (c *throttled) hold() {
	if c.producer == nil || c.held {
		return
	}
	c.held = true
	if !c.pull && !c.connHeld {
		c.producer.(reactor.PushProducer).PauseProducing()
	}
}

func (c *throttled) release() {
	if !c.held {
		return
	}
	c.held = false
	switch {
	case c.producer == nil:
	case c.pull:
		// The connection asked while the throttle held: answer now. The
		// producer's write has the connection ask again once it is sent.
		if c.asked {
			c.asked = false
			c.producer.ResumeProducing()
		}
	case !c.connHeld:
		c.producer.ResumeProducing()
	}
}

// throttledProducer is what the connection sees as the producer.
type throttledProducer throttled

// PauseProducing comes from the connection (push producers only).
func (p *throttledProducer) PauseProducing() {
	c := (*throttled)(p)
	c.connHeld = true
	if !c.held && c.producer != nil {
		c.producer.(reactor.PushProducer).PauseProducing()
	}
}

// ResumeProducing comes from the connection: its buffer drained. A pull
// producer held by the throttle writes nothing now; the connection then
// waits for its next write, which release makes.
func (p *throttledProducer) ResumeProducing() {
	c := (*throttled)(p)
	c.connHeld = false
	switch {
	case c.producer == nil:
	case c.held:
		c.asked = c.pull
	default:
		c.producer.ResumeProducing()
	}
}

func (p *throttledProducer) StopProducing() {
	c := (*throttled)(p)
	if c.producer != nil {
		pr := c.producer
		c.producer = nil
		pr.StopProducing()
	}
}

var _ reactor.TCPTransport = (*throttled)(nil)
