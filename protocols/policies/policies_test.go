package policies

import (
	"io"
	"math"
	"net"
	"net/netip"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// fakeTransport records what is done to it.
type fakeTransport struct {
	written         int
	writes          uint32 // reactor.WriteCounter
	lost, aborted   bool
	paused          bool
	pauses, resumes int
	producer        reactor.Producer
	streaming       bool
}

func (t *fakeTransport) Write(b []byte)     { t.written += len(b); t.writes++ }
func (t *fakeTransport) WriteCount() uint32 { return t.writes }
func (t *fakeTransport) WriteSequence(bs [][]byte) {
	t.writes++
	for _, b := range bs {
		t.written += len(b)
	}
}
func (t *fakeTransport) LoseConnection()     { t.lost = true }
func (t *fakeTransport) AbortConnection()    { t.aborted = true }
func (t *fakeTransport) Disconnecting() bool { return t.lost || t.aborted }
func (t *fakeTransport) Peer() net.Addr      { return &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1000} }
func (t *fakeTransport) Host() net.Addr      { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2} }
func (t *fakeTransport) RegisterProducer(p reactor.Producer, s bool) error {
	t.producer, t.streaming = p, s
	return nil
}
func (t *fakeTransport) UnregisterProducer() { t.producer = nil }
func (t *fakeTransport) PauseProducing()     { t.paused = true; t.pauses++ }

// fakeTCPTransport is a fakeTransport with the TCP methods.
type fakeTCPTransport struct {
	fakeTransport
	noDelay, writeLost bool
}

func (t *fakeTCPTransport) LoseWriteConnection()                   { t.writeLost = true }
func (t *fakeTCPTransport) SetNoDelay(on bool) error               { t.noDelay = on; return nil }
func (t *fakeTCPTransport) SetKeepAlive(bool) error                { return nil }
func (t *fakeTCPTransport) SetKeepAlivePeriod(time.Duration) error { return nil }
func (t *fakeTransport) ResumeProducing()                          { t.paused = false; t.resumes++ }
func (t *fakeTransport) StopProducing()                            { t.lost = true }

// recorder is a protocol counting its events.
type recorder struct {
	reactor.BaseProtocol
	made, data, lost int
}

func (r *recorder) ConnectionMade()       { r.made++ }
func (r *recorder) DataReceived(b []byte) { r.data += len(b) }
func (r *recorder) ConnectionLost(error)  { r.lost++ }

type halfRecorder struct {
	recorder
	readLost int
}

func (h *halfRecorder) ReadConnectionLost() { h.readLost++ }

// timedProto embeds Timeout as a protocol would.
type timedProto struct {
	Timeout
	fired int
}

// The timeout fires once a whole period passes without ResetTimeout, on
// the fake clock; SetTimeout returns the previous period and 0 turns it
// off.
func TestTimeout(t *testing.T) {
	clock := task.NewClock()
	p := &timedProto{}
	p.Clock, p.OnTimeout = clock, func() { p.fired++ }
	if prev := p.SetTimeout(5 * time.Second); prev != 0 {
		t.Errorf("previous period %v", prev)
	}
	clock.Advance(4 * time.Second)
	p.ResetTimeout()
	clock.Advance(4 * time.Second)
	if p.fired != 0 {
		t.Fatal("fired although reset")
	}
	clock.Advance(time.Second)
	if p.fired != 1 || p.TimeoutPeriod() != 0 {
		t.Fatalf("fired %d, period %v", p.fired, p.TimeoutPeriod())
	}
	clock.Advance(time.Minute)
	if p.fired != 1 {
		t.Error("fired again")
	}
	p.SetTimeout(time.Second)
	if prev := p.SetTimeout(0); prev != time.Second {
		t.Errorf("previous period %v", prev)
	}
	clock.Advance(time.Minute)
	if p.fired != 1 || len(clock.Pending()) != 0 {
		t.Errorf("fired %d after SetTimeout(0), %d timers left", p.fired, len(clock.Pending()))
	}
}

// IdleTimeout loses a connection idle for the period (input resets it),
// and aborts it a period later if it has not closed by then.
func TestIdleTimeout(t *testing.T) {
	clock := task.NewClock()
	var timedOut []net.Addr
	inner := &recorder{}
	f := &IdleTimeout{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return inner }),
		Clock: clock, Period: 10 * time.Second, TimedOut: func(a net.Addr) { timedOut = append(timedOut, a) }}
	tr := &fakeTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	clock.Advance(9 * time.Second)
	p.DataReceived([]byte("still here"))
	clock.Advance(9 * time.Second)
	if tr.lost || inner.data != 10 {
		t.Fatalf("lost %v, inner got %d bytes", tr.lost, inner.data)
	}
	clock.Advance(time.Second)
	if !tr.lost || tr.aborted || len(timedOut) != 1 {
		t.Fatalf("after the period: lost %v aborted %v timedOut %v", tr.lost, tr.aborted, timedOut)
	}
	clock.Advance(10 * time.Second) // the close hangs (a peer that reads nothing)
	if !tr.aborted {
		t.Error("not aborted when the close hung")
	}
	p.ConnectionLost(reactor.ErrConnectionAborted)
	if inner.lost != 1 || len(clock.Pending()) != 0 {
		t.Errorf("inner lost %d, %d timers left", inner.lost, len(clock.Pending()))
	}
}

// IdleTimeout counts the protocol's writes as activity, as Twisted's
// TimeoutProtocol does: a server streaming to a silent peer is not idle.
// Before, the connection was lost after the period though the protocol
// wrote all the while, and the peer read a clean end in the middle of the
// answer. The writes are read from the connection's count when a period
// runs out, so a connection that falls silent is lost between one and two
// periods after its last write. Once the timeout has fired, neither
// writes nor input put off the abort of a close that hangs.
func TestIdleTimeoutCountsWrites(t *testing.T) {
	clock := task.NewClock()
	inner := &recorder{}
	f := &IdleTimeout{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return inner }),
		Clock: clock, Period: 10 * time.Second}
	tr := &fakeTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	// A second at a time, so that each timer runs at its own time.
	wait := func(secs int) {
		for range secs {
			clock.Advance(time.Second)
		}
	}
	for range 5 {
		wait(9)
		inner.Transport.Write([]byte("a line of the answer\n"))
	}
	wait(9)
	inner.Transport.WriteSequence([][]byte{[]byte("the last"), []byte(" line\n")}) // at 54 s
	wait(6)
	if tr.lost || tr.written != 5*21+14 {
		t.Fatalf("writing for 54 s with a period of 10: lost %v at 60 s, %d bytes written", tr.lost, tr.written)
	}
	wait(10)
	if !tr.lost || tr.aborted {
		t.Fatalf("a whole period without a write: lost %v, aborted %v", tr.lost, tr.aborted)
	}
	// The close hangs; the protocol goes on writing, and the peer on
	// sending (a TLS connection still reads while its close waits for a
	// file transfer).
	for range 5 {
		clock.Advance(2 * time.Second)
		inner.Transport.Write([]byte("more"))
		p.DataReceived([]byte("x"))
	}
	if !tr.aborted {
		t.Error("writes and input during a hanging close put off its abort")
	}
}

// IdleTimeout leaves the protocol the connection's own transport, with
// every method it has: a wrapper in between lost the buffer's water marks
// (the slow poetry server then buffered a whole poem for a client that
// read nothing) and the *reactor.Conn that proxyproto's TLS needs.
func TestIdleTimeoutKeepsTheTransport(t *testing.T) {
	inner := &recorder{}
	f := &IdleTimeout{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return inner }),
		Clock: task.NewClock(), Period: time.Second}
	tr := &fakeTCPTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	if inner.Transport != reactor.Transport(tr) {
		t.Fatalf("the protocol's transport is %T, not the connection's", inner.Transport)
	}
}

// A wrapped half-closeable protocol stays half-closeable; another does
// not become one.
func TestWrapperKeepsHalfClose(t *testing.T) {
	h := &halfRecorder{}
	w := (&wrapper{inner: h}).protocol()
	hc, ok := w.(reactor.HalfCloseableProtocol)
	if !ok {
		t.Fatal("half-closeable protocol lost ReadConnectionLost")
	}
	hc.ReadConnectionLost()
	if h.readLost != 1 {
		t.Error("ReadConnectionLost not forwarded")
	}
	if _, ok := (&wrapper{inner: &recorder{}}).protocol().(reactor.HalfCloseableProtocol); ok {
		t.Error("plain protocol became half-closeable")
	}
}

// Limit refuses over the total and the per-peer limits, counts the
// refusals, and frees a slot when a connection ends.
func TestLimit(t *testing.T) {
	l := &Limit{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} }),
		MaxTotal: 3, MaxPerPeer: 2}
	a := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1}
	b := &net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.2"), Port: 2}
	c := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 3), Port: 3}
	p1, p2 := l.BuildProtocol(a), l.BuildProtocol(a)
	if p1 == nil || p2 == nil {
		t.Fatal("refused under the limits")
	}
	if l.BuildProtocol(a) != nil || l.Refused != 1 {
		t.Fatalf("third from one peer: refused %d", l.Refused)
	}
	if l.BuildProtocol(b) == nil {
		t.Fatal("another peer refused")
	}
	if l.BuildProtocol(c) != nil || l.Refused != 2 {
		t.Fatalf("over the total: refused %d", l.Refused)
	}
	if l.Open() != 3 || l.OpenFrom(netip.MustParseAddr("10.0.0.1")) != 2 || l.OpenFrom(netip.MustParseAddr("10.0.0.2")) != 1 {
		t.Errorf("open %d, from a %d", l.Open(), l.OpenFrom(netip.MustParseAddr("10.0.0.1")))
	}
	p1.ConnectionLost(reactor.ErrConnectionDone)
	if l.BuildProtocol(c) == nil || l.Open() != 3 {
		t.Error("slot not freed")
	}
	over := 0
	l.Overflow = func(net.Addr) reactor.Protocol { over++; return &recorder{} }
	if l.BuildProtocol(c) == nil || over != 1 || l.Refused != 3 {
		t.Errorf("overflow protocol: %d, refused %d", over, l.Refused)
	}
}

// Unix socket clients have no address to tell them apart: MaxPerPeer does
// not lump them into one peer; MaxTotal still counts them.
func TestLimitUnixPeers(t *testing.T) {
	l := &Limit{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} }),
		MaxTotal: 3, MaxPerPeer: 1}
	unnamed := &net.UnixAddr{Net: "unix"}
	var ps []reactor.Protocol
	for range 3 {
		p := l.BuildProtocol(unnamed)
		if p == nil {
			t.Fatalf("Unix client %d refused (refused %d)", len(ps)+1, l.Refused)
		}
		ps = append(ps, p)
	}
	if l.BuildProtocol(unnamed) != nil {
		t.Error("a fourth Unix client passed MaxTotal")
	}
	for _, p := range ps {
		p.ConnectionLost(reactor.ErrConnectionDone)
	}
	if l.Open() != 0 || len(l.byPeer) != 0 {
		t.Errorf("after all left: open %d, peers %v", l.Open(), l.byPeer)
	}
}

// panicsOnLost is a protocol whose ConnectionLost panics (a user's bug).
type panicsOnLost struct{ recorder }

func (*panicsOnLost) ConnectionLost(error) { panic("bug in ConnectionLost") }

// loseContained calls p.ConnectionLost as the reactor does: containing a
// panic.
func loseContained(p reactor.Protocol) {
	defer func() { _ = recover() }()
	p.ConnectionLost(reactor.ErrConnectionDone)
}

// A wrapped protocol whose ConnectionLost panics still frees what the
// wrapper holds for it: a Limit's slot, an IdleTimeout's timer. The slot
// stayed taken, so that such connections shut the service out for good.
func TestWrapperLostAfterPanic(t *testing.T) {
	l := &Limit{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &panicsOnLost{} }), MaxTotal: 1}
	addr := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1}
	for i := range 3 {
		p := l.BuildProtocol(addr)
		if p == nil {
			t.Fatalf("connection %d refused with %d open", i, l.Open())
		}
		p.MakeConnection(&fakeTransport{})
		p.ConnectionMade()
		loseContained(p)
	}
	clock := task.NewClock()
	f := &IdleTimeout{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &panicsOnLost{} }),
		Clock: clock, Period: time.Second}
	p := f.BuildProtocol(addr)
	p.MakeConnection(&fakeTransport{})
	p.ConnectionMade()
	loseContained(p)
	if n := len(clock.Pending()); n != 0 {
		t.Errorf("%d idle timers left after the connection was lost", n)
	}
}

// Reads over the limit pause every connection of the factory until the
// windows after have paid the excess off.
func TestThrottleReads(t *testing.T) {
	clock := task.NewClock()
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} }),
		Clock: clock, ReadLimit: 1000}
	t1, t2 := &fakeTransport{}, &fakeTransport{}
	p1, p2 := f.BuildProtocol(t1.Peer()), f.BuildProtocol(t2.Peer())
	p1.MakeConnection(t1)
	p1.ConnectionMade()
	p2.MakeConnection(t2)
	p2.ConnectionMade()
	p1.DataReceived(make([]byte, 600))
	if t1.paused {
		t.Fatal("paused under the limit")
	}
	p2.DataReceived(make([]byte, 2400)) // 3,000 bytes: two seconds' worth too many
	if !t1.paused || !t2.paused || f.ReadThrottles != 1 {
		t.Fatalf("over the limit: paused %v %v", t1.paused, t2.paused)
	}
	clock.Advance(time.Second)
	clock.Advance(time.Second)
	if !t1.paused {
		t.Fatal("resumed before the excess was paid off")
	}
	clock.Advance(time.Second)
	if t1.paused || t2.paused {
		t.Fatal("still paused after paying off")
	}
	p1.ConnectionLost(reactor.ErrConnectionDone)
	p2.ConnectionLost(reactor.ErrConnectionDone)
	clock.Advance(time.Second)
	if len(clock.Pending()) != 0 {
		t.Error("the timer runs on with no connection and no debt")
	}
}

// pusher is a push producer recording its state.
type pusher struct{ paused bool }

func (p *pusher) PauseProducing()  { p.paused = true }
func (p *pusher) ResumeProducing() { p.paused = false }
func (p *pusher) StopProducing()   {}

// Writes over the limit hold the push producers; the connection's own
// flow control and the throttle each hold the producer, and neither
// releases what the other holds.
func TestThrottleWrites(t *testing.T) {
	clock := task.NewClock()
	inner := &recorder{}
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return inner }),
		Clock: clock, WriteLimit: 1000}
	tr := &fakeTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	prod := &pusher{}
	if err := inner.Transport.RegisterProducer(prod, true); err != nil {
		t.Fatal(err)
	}
	conn := tr.producer.(reactor.PushProducer) // what the connection sees
	inner.Transport.Write(make([]byte, 1500))
	if !prod.paused || tr.written != 1500 {
		t.Fatalf("over the limit: paused %v, written %d", prod.paused, tr.written)
	}
	conn.ResumeProducing() // the connection's buffer drained: still held by the throttle
	if !prod.paused {
		t.Fatal("the connection released what the throttle holds")
	}
	conn.PauseProducing() // now the connection's buffer is full again
	clock.Advance(time.Second)
	if !prod.paused {
		t.Fatal("the throttle released what the connection holds")
	}
	conn.ResumeProducing()
	if prod.paused {
		t.Fatal("still paused with neither holding it")
	}
	if _, ok := inner.Transport.(reactor.TCPTransport); !ok {
		t.Error("throttled transport is not a TCPTransport")
	}
}

// A limit below one byte per window still lets the bytes through, at the
// limit's rate: 5 bytes a second over 100 ms windows pays one byte off in
// two windows. With the allowance rounded down to zero the connection
// stayed paused for ever.
func TestThrottleFractionalAllowance(t *testing.T) {
	clock := task.NewClock()
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} }),
		Clock: clock, ReadLimit: 5, Window: 100 * time.Millisecond}
	tr := &fakeTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	p.DataReceived([]byte("x"))
	if !tr.paused {
		t.Fatal("one byte over a half-byte allowance did not pause reading")
	}
	clock.Advance(100 * time.Millisecond)
	if !tr.paused {
		t.Fatal("resumed after half the byte was paid off")
	}
	clock.Advance(100 * time.Millisecond)
	if tr.paused {
		t.Fatal("still paused once the byte was paid off")
	}
}

// writeBurster is a push producer that writes burst bytes as soon as it is
// resumed.
type writeBurster struct {
	pusher
	t     reactor.Transport
	burst int
}

func (p *writeBurster) ResumeProducing() {
	p.paused = false
	p.t.Write(make([]byte, p.burst))
}

// A producer released when a window ends may write at once and spend the
// new window's allowance: the producers not released yet stay held. They
// were released anyway, and one then wrote unthrottled window after window.
func TestThrottleReleaseThatWritesAtOnce(t *testing.T) {
	clock := task.NewClock()
	var inners []*recorder
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		inners = append(inners, &recorder{})
		return inners[len(inners)-1]
	}), Clock: clock, WriteLimit: 100}
	var prods []*writeBurster
	for range 2 {
		tr := &fakeTransport{}
		p := f.BuildProtocol(tr.Peer())
		p.MakeConnection(tr)
		p.ConnectionMade()
		inner := inners[len(inners)-1]
		wb := &writeBurster{t: inner.Transport, burst: 150}
		if err := inner.Transport.RegisterProducer(wb, true); err != nil {
			t.Fatal(err)
		}
		prods = append(prods, wb)
	}
	inners[0].Transport.Write(make([]byte, 150))
	for i := range 10 {
		if f.writeHeld && (!prods[0].paused || !prods[1].paused) {
			t.Fatalf("window %d: writing held (debt %v), producers paused %v and %v",
				i, f.written, prods[0].paused, prods[1].paused)
		}
		clock.Advance(time.Second)
	}
}

// Over real sockets on every backend: a per-peer limit of 2 closes a third
// connection from the same address at once, and counts it.
func TestLimitOverSockets(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			l := &Limit{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} }), MaxPerPeer: 2}
			port, err := r.ListenTCP("127.0.0.1:0", l)
			if err != nil {
				t.Fatal(err)
			}
			refusedc := make(chan uint64, 1)
			go func() {
				defer r.CallFromGoroutine(func() { r.Stop() })
				for range 2 {
					c, err := net.Dial("tcp", port.Addr().String())
					if err != nil {
						t.Error(err)
						return
					}
					defer c.Close()
				}
				third, err := net.Dial("tcp", port.Addr().String())
				if err != nil {
					t.Error(err)
					return
				}
				defer third.Close()
				third.SetDeadline(time.Now().Add(10 * time.Second))
				if b, err := io.ReadAll(third); err != nil || len(b) != 0 {
					t.Errorf("third connection: %q, %v", b, err)
				}
				r.CallFromGoroutine(func() { refusedc <- l.Refused })
			}()
			errc := make(chan error, 1)
			go func() { errc <- r.Run() }()
			select {
			case <-errc:
			case <-time.After(20 * time.Second):
				r.CallFromGoroutine(func() { r.Stop() })
				t.Fatal("reactor still running")
			}
			select {
			case n := <-refusedc:
				if n != 1 {
					t.Errorf("refused %d", n)
				}
			default:
				t.Error("never checked the count")
			}
		})
	}
}

// A throttle's windows follow one another for as long as its connections
// last: each costs no allocation (the window's timer is rearmed, not made
// anew; it cost two allocations a window).
func TestThrottleWindowAllocatesNothing(t *testing.T) {
	clock := task.NewClock()
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} }),
		Clock: clock, ReadLimit: math.MaxInt >> 1}
	tr := &fakeTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	data := make([]byte, 1024)
	window := func() {
		p.DataReceived(data)
		clock.Advance(time.Second)
	}
	for range 3 {
		window()
	}
	if allocs := testing.AllocsPerRun(100, window); allocs != 0 {
		t.Errorf("%.1f allocations per window", allocs)
	}
}

// Behind any stack of wrappers, a server finds its own protocol again
// (reactor.ProtocolAs, as from Conn.Protocol or Reactor.Connections), and
// a half-closeable one keeps the interface.
func TestWrappedProtocolIsReachable(t *testing.T) {
	clock := task.NewClock()
	for _, half := range []bool{false, true} {
		var built reactor.Protocol
		inner := reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
			if half {
				built = &halfRecorder{}
			} else {
				built = &recorder{}
			}
			return built
		})
		f := &Limit{MaxTotal: 5, Factory: &IdleTimeout{Factory: &Throttle{Factory: inner, Clock: clock, ReadLimit: 100}, Clock: clock, Period: time.Second}}
		p := f.BuildProtocol(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1})
		if reactor.InnerProtocol(p) != built {
			t.Errorf("half-closeable %v: InnerProtocol is %T", half, reactor.InnerProtocol(p))
		}
		var ok bool
		if half {
			var hr *halfRecorder
			hr, ok = reactor.ProtocolAs[*halfRecorder](p)
			ok = ok && hr == built
			if _, hc := p.(reactor.HalfCloseableProtocol); !hc {
				t.Error("the wrappers hid ReadConnectionLost")
			}
		} else {
			var r *recorder
			r, ok = reactor.ProtocolAs[*recorder](p)
			ok = ok && r == built
		}
		if !ok {
			t.Errorf("half-closeable %v: ProtocolAs did not find the protocol", half)
		}
	}
}

// selfPacer pauses its own reading on "stop" and resumes it on command,
// as a relay or an echo server paced by its write buffer does.
type selfPacer struct {
	reactor.BaseProtocol
}

func (p *selfPacer) DataReceived(b []byte) {
	if string(b) == "stop" {
		p.Transport.PauseProducing()
	}
}

// A read throttle lifts only the pauses it made: a protocol that paused
// its own reading stays paused, and its own resume waits for the
// throttle. The throttle resumed every connection when it lifted, so a
// server that stopped reading from a client that read nothing (its
// write buffer full) read again, and its buffer grew without bound.
func TestThrottleKeepsTheProtocolsPause(t *testing.T) {
	clock := task.NewClock()
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &selfPacer{} }),
		Clock: clock, ReadLimit: 10}
	t1, t2 := &fakeTransport{}, &fakeTransport{}
	p1, p2 := f.BuildProtocol(t1.Peer()), f.BuildProtocol(t2.Peer())
	p1.MakeConnection(t1)
	p1.ConnectionMade()
	p2.MakeConnection(t2)
	p2.ConnectionMade()
	p1.DataReceived([]byte("stop"))
	p2.DataReceived(make([]byte, 15)) // over the window's 10: both held
	if !t1.paused || !t2.paused {
		t.Fatalf("over the limit: paused %v %v", t1.paused, t2.paused)
	}
	clock.Advance(time.Second) // 9 owed: the throttle lifts
	if !t1.paused {
		t.Fatal("the throttle resumed a connection its protocol had paused")
	}
	if t2.paused {
		t.Fatal("the throttle did not resume a connection it had paused")
	}
	p2.DataReceived(make([]byte, 20)) // held again
	inner := reactor.InnerProtocol(p1).(*selfPacer)
	inner.Transport.ResumeProducing()
	if !t1.paused {
		t.Fatal("the protocol's resume lifted the throttle's hold")
	}
	clock.Advance(time.Second) // 19 owed
	if !t1.paused {
		t.Fatal("resumed before the throttle lifted")
	}
	clock.Advance(time.Second) // 9 owed
	if t1.paused || t2.paused {
		t.Fatalf("after the throttle lifts: paused %v %v", t1.paused, t2.paused)
	}
}

// eagerProducer registers a push producer in ConnectionMade and starts it
// at once, as Twisted's producers do: its first burst spends the window
// before ConnectionMade has returned.
type eagerProducer struct {
	recorder
	wb *writeBurster
}

func (p *eagerProducer) ConnectionMade() {
	p.wb = &writeBurster{t: p.Transport, burst: 150}
	if err := p.Transport.RegisterProducer(p.wb, true); err != nil {
		panic(err)
	}
	p.wb.ResumeProducing()
}

// A producer that spends the window inside ConnectionMade is held like
// any other. The connection joined the throttle only after ConnectionMade
// had returned, so its producer was never paused: it wrote on unthrottled,
// and its debt grew without end.
func TestThrottleHoldsAProducerStartedInConnectionMade(t *testing.T) {
	clock := task.NewClock()
	inner := &eagerProducer{}
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return inner }),
		Clock: clock, WriteLimit: 100}
	tr := &fakeTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	if !f.writeHeld || !inner.wb.paused {
		t.Fatalf("150 bytes over a limit of 100: writing held %v, producer paused %v", f.writeHeld, inner.wb.paused)
	}
	// Released when the debt falls below a window's 100, it writes one
	// burst of 150 and is held again: the debt stays under 250, and ten
	// windows let through their 1000 bytes and a burst or two more.
	for i := range 10 {
		clock.Advance(time.Second)
		if f.written >= 250 {
			t.Fatalf("window %d: %v bytes owed", i, f.written)
		}
	}
	if tr.written > 1000+2*150 {
		t.Errorf("%d bytes written in ten windows of 100", tr.written)
	}
}
