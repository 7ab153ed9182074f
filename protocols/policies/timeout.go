package policies

import (
	"net"
	"time"

	"gyre/reactor"
)

// Timeout is Twisted's TimeoutMixin: embed it in a protocol, set Clock and
// OnTimeout (usually when the protocol is built), call SetTimeout to start
// it and ResetTimeout whenever the connection shows life (each line
// received, say). If a whole period passes without a ResetTimeout,
// OnTimeout runs (Twisted's timeoutConnection; nil means nothing happens
// beyond the timer stopping) and the timeout is off until SetTimeout is
// called again. Stop it in ConnectionLost with SetTimeout(0).
//
// ResetTimeout costs no allocation and no timer operation, only a reading
// of the clock: it notes the time, and the one pending timer, when it
// comes due, sleeps again for what is left of the period since then
// (Twisted moves its timer on each reset instead).
type Timeout struct {
	// Clock schedules the timer: the reactor, or a *task.Clock in tests.
	Clock reactor.Clock
	// OnTimeout runs when the period passes with no ResetTimeout.
	OnTimeout func()

	period time.Duration
	call   *reactor.DelayedCall
	last   time.Time // the last reset (or start)
	fireFn func()    // t.fire, made once: a method value allocates
}

// SetTimeout starts (or restarts) the timeout with period d, or turns it
// off when d <= 0, and returns the previous period (0 if it was off).
func (t *Timeout) SetTimeout(d time.Duration) time.Duration {
	prev := t.period
	if t.Clock == nil && d > 0 {
		panic("policies: Timeout.SetTimeout with no Clock: set Clock (the reactor, or a task.Clock in tests)")
	}
	if t.call != nil && t.call.Active() {
		t.call.Cancel()
	}
	t.call = nil
	t.period = max(d, 0)
	if d > 0 {
		t.last = t.Clock.Now()
		if t.fireFn == nil {
			t.fireFn = t.fire
		}
		t.call = t.Clock.CallLater(d, t.fireFn)
	}
	return prev
}

// ResetTimeout starts the current period again from now (nothing if the
// timeout is off).
func (t *Timeout) ResetTimeout() {
	if t.call != nil {
		t.last = t.Clock.Now()
	}
}

// TimeoutPeriod returns the period (0 when off).
func (t *Timeout) TimeoutPeriod() time.Duration { return t.period }

func (t *Timeout) fire() {
	if left := t.period - t.Clock.Now().Sub(t.last); left > 0 {
		// Reset since: not idle yet. The call that just ran is set
		// again, so a busy connection's timeout allocates nothing.
		t.call.Rearm(left, t.fireFn)
		return
	}
	t.call, t.period = nil, 0
	if t.OnTimeout != nil {
		t.OnTimeout()
	}
}

// IdleTimeout wraps a factory so that each connection it builds is lost
// (LoseConnection) after Period without activity: no input from the peer
// and no write by the protocol, as with Twisted's TimeoutFactory. (A
// server streaming a long answer to a peer that sends nothing is busy,
// not idle.) A connection that has still not closed a Period later (its
// peer reads nothing, so what is buffered never drains) is aborted.
// TimedOut, if set, is told which connection timed out, before it is
// lost. The zero Period means no timeout. A nil Clock means each
// connection's own reactor.
//
// Input is noted as it comes. Writes are counted by the connection itself
// (reactor.WriteCounter: *reactor.Conn, *reactor.TLSConn, and the
// transports that wrap them), and IdleTimeout reads the count when a
// Period runs out: a connection that wrote during it gets another Period.
// So a connection that only writes, then falls silent, is lost between
// one and two Periods after its last write. The protocol keeps the
// connection's own transport, with all its methods. Over a transport that
// counts no writes, only input counts.
//
// Input counts when it is read, not when the peer sends it: a connection
// whose reading is paused (by a Throttle in the same stack, or by its own
// flow control) is idle while the pause lasts, however much its peer is
// sending. Stacked over a Throttle, give it a Period longer than the
// throttle may hold a connection back (one read beyond the limit, paid off
// at ReadLimit bytes per second), or a fast sender is cut off as idle.
type IdleTimeout struct {
	Factory  reactor.Factory
	Clock    reactor.Clock
	Period   time.Duration
	TimedOut func(peer net.Addr)
}

// BuildProtocol builds the wrapped factory's protocol with a timer around
// it (nil if the wrapped factory refuses).
func (f *IdleTimeout) BuildProtocol(addr net.Addr) reactor.Protocol {
	inner := f.Factory.BuildProtocol(addr)
	if inner == nil || f.Period <= 0 {
		return inner
	}
	tm := &Timeout{}
	w := &wrapper{inner: inner}
	var transport reactor.Transport
	var writes reactor.WriteCounter
	var seen uint32   // the write count when last looked at
	var timedOut bool // the timer now bounds the close
	w.wrapT = func(t reactor.Transport) reactor.Transport {
		transport, writes = t, reactor.WriteCounterOf(t)
		if writes != nil {
			seen = writes.WriteCount()
		}
		tm.Clock = clockFor(f.Clock, t, "IdleTimeout")
		return t
	}
	tm.OnTimeout = func() {
		if writes != nil && writes.WriteCount() != seen {
			seen = writes.WriteCount() // it wrote: not idle
			tm.SetTimeout(f.Period)
			return
		}
		if f.TimedOut != nil {
			f.TimedOut(addr)
		}
		// From now on the period is the close's: if it hangs, an abort,
		// whatever is written or read meanwhile (a TLS connection whose
		// close waits for a file transfer still reads).
		timedOut = true
		tm.OnTimeout = transport.AbortConnection
		tm.SetTimeout(f.Period)
		transport.LoseConnection()
	}
	w.onMade = func() { tm.SetTimeout(f.Period) }
	w.onData = func(int) {
		if !timedOut {
			tm.ResetTimeout()
		}
	}
	w.onLost = func(error) { tm.SetTimeout(0) }
	return w.protocol()
}
