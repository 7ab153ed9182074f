package reconnect

import (
	"errors"
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// The schedule grows by Factor from InitialDelay to MaxDelay, and Jitter
// spreads each delay within its fraction either way.
func TestBackoffDelays(t *testing.T) {
	mid := func() float64 { return 0.5 }
	b := Backoff{InitialDelay: time.Second, Factor: 2, MaxDelay: 10 * time.Second, Jitter: 0.1, Rand: mid}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, b.Delay(n))
	}
	want := []time.Duration{1, 2, 4, 8, 10, 10}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("delays %v, want %v seconds", got, want)
		}
	}
	b.Rand = func() float64 { return 0 }
	if d := b.Delay(2); d != 1800*time.Millisecond {
		t.Errorf("lowest jitter: %v", d)
	}
	b.Rand = func() float64 { return 0.999999 }
	if d := b.Delay(2); d < 2199*time.Millisecond || d > 2200*time.Millisecond {
		t.Errorf("highest jitter: %v", d)
	}
	var def Backoff
	def.Rand = mid
	if d := def.Delay(2); math.Abs(d.Seconds()-math.E) > 1e-6 {
		t.Errorf("default second delay %v, want e seconds", d)
	}
	if d := def.Delay(100); d != time.Hour {
		t.Errorf("default cap %v", d)
	}
}

func newReactor(t *testing.T, opts ...reactor.Option) *reactor.Reactor {
	t.Helper()
	r, err := reactor.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func runFor(t *testing.T, r *reactor.Reactor) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		r.CallFromGoroutine(func() { r.Stop() })
		<-errc
		t.Fatal("reactor still running after 20s")
	}
}

func refusedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A delay is never negative and never wraps: a Jitter above 1 counts as 1,
// and a MaxDelay near the largest Duration, jittered upwards, stays the
// largest (float64 rounds it to 2^63, which converted back to a negative
// Duration: a retry at once).
func TestBackoffBounds(t *testing.T) {
	low := func() float64 { return 0 }
	high := func() float64 { return 0.999999 }
	b := Backoff{InitialDelay: time.Second, Jitter: 3, Rand: low}
	if d := b.Delay(1); d != 0 {
		t.Errorf("Jitter 3, lowest draw: %v, want 0", d)
	}
	b = Backoff{InitialDelay: math.MaxInt64, MaxDelay: math.MaxInt64, Jitter: 0.5, Rand: high}
	if d := b.Delay(3); d != math.MaxInt64 {
		t.Errorf("largest delay jittered up: %v", d)
	}
}

// Against a port that refuses: MaxRetries retries with growing delays,
// then GaveUp with ErrGaveUp wrapping the refusal. Without a Clock of its
// own the factory uses the connector's (here the reactor).
func TestFactoryGivesUp(t *testing.T) {
	t.Run("Clock", func(t *testing.T) { testFactoryGivesUp(t, true) })
	t.Run("no Clock", func(t *testing.T) { testFactoryGivesUp(t, false) })
}

func testFactoryGivesUp(t *testing.T, ownClock bool) {
	r := newReactor(t)
	var delays []time.Duration
	var gaveUp error
	f := &Factory{MaxRetries: 3,
		Backoff: Backoff{InitialDelay: time.Millisecond, Factor: 2, Jitter: -1}}
	if ownClock {
		f.Clock = r
	}
	f.Protocol = func() reactor.Protocol { return &reactor.BaseProtocol{} }
	f.Retrying = func(n int, d time.Duration, reason error) { delays = append(delays, d) }
	f.GaveUp = func(reason error) { gaveUp = reason; r.Stop() }
	r.CallWhenRunning(func() { r.ConnectTCP(refusedAddr(t), f, time.Second) })
	runFor(t, r)
	var ce *reactor.ConnectError
	if !errors.Is(gaveUp, ErrGaveUp) || !errors.As(gaveUp, &ce) {
		t.Errorf("gave up with %v", gaveUp)
	}
	if len(delays) != 3 || delays[0] != time.Millisecond || delays[1] != 2*time.Millisecond || delays[2] != 4*time.Millisecond {
		t.Errorf("delays %v", delays)
	}
	if f.Trying() {
		t.Error("still trying after giving up")
	}
}

// After each successful connection the delay starts again from the
// initial one; StopTrying ends the reconnecting.
func TestFactoryResetsAfterSuccess(t *testing.T) {
	r := newReactor(t)
	accepted := 0
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		accepted++
		return &closer{}
	}))
	if err != nil {
		t.Fatal(err)
	}
	var retries []int
	f := &Factory{Clock: r, Backoff: Backoff{InitialDelay: time.Millisecond, Jitter: -1}}
	f.Protocol = func() reactor.Protocol { return &reactor.BaseProtocol{} }
	f.Retrying = func(n int, d time.Duration, reason error) {
		retries = append(retries, n)
		if len(retries) == 4 {
			f.StopTrying()
			r.CallLater(20*time.Millisecond, func() { r.Stop() })
		}
	}
	r.CallWhenRunning(func() { r.ConnectTCP(port.Addr().String(), f, time.Second) })
	runFor(t, r)
	for _, n := range retries {
		if n != 1 {
			t.Fatalf("retry numbers %v: the delay was not reset by the successes", retries)
		}
	}
	if accepted != 4 {
		t.Errorf("server accepted %d connections, want 4 (no connection after StopTrying)", accepted)
	}
}

// An endpoint description that does not parse stops the service, and
// WhenConnected says why.
func TestClientServiceBadEndpoint(t *testing.T) {
	r := newReactor(t)
	s := &ClientService{Reactor: r, Endpoint: "tcp:host=127.0.0.1:port=eighty",
		Protocol: func() reactor.Protocol { return &reactor.BaseProtocol{} }}
	s.StartService()
	var before, after error
	r.CallWhenRunning(func() {
		s.WhenConnected().AddErrback(func(f *deferred.Failure) (any, error) { before = f; return nil, nil })
		r.Stop()
	})
	runFor(t, r)
	var ee *reactor.EndpointError
	if !errors.Is(before, ErrServiceStopped) || !errors.As(before, &ee) {
		t.Errorf("WhenConnected: %v", before)
	}
	s.WhenConnected().AddErrback(func(f *deferred.Failure) (any, error) { after = f; return nil, nil })
	if !errors.As(after, &ee) {
		t.Errorf("WhenConnected asked again: %v", after)
	}
}

// closer closes each connection at once.
type closer struct{ reactor.BaseProtocol }

func (c *closer) ConnectionMade() { c.Transport.LoseConnection() }

// The service hands out the current connection, reconnects when it is
// lost (WhenConnected then gives the new one), and stops cleanly; given
// an address, or a client endpoint description.
func TestClientService(t *testing.T) {
	t.Run("Addr", func(t *testing.T) { testClientService(t, false) })
	t.Run("Endpoint", func(t *testing.T) { testClientService(t, true) })
}

func testClientService(t *testing.T, endpoint bool) {
	r := newReactor(t)
	port, server := listenHooked(t, r)
	s := &ClientService{Reactor: r, Addr: port.Addr().String(),
		Protocol: func() reactor.Protocol { return &reactor.BaseProtocol{} },
		Backoff:  Backoff{InitialDelay: time.Millisecond, Jitter: -1}}
	if endpoint {
		s.Addr = "127.0.0.1:1" // not used: the endpoint is
		s.Endpoint = fmt.Sprintf("tcp:host=127.0.0.1:port=%d:timeout=5", port.Addr().(*net.TCPAddr).Port)
	}
	var first, second any
	var stopped, afterStop error
	stopFired := false
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddCallback(func(p any) (any, error) {
			first = p
			server.sides[0].LoseConnection() // the server drops us
			r.CallLater(5*time.Millisecond, func() {
				s.WhenConnected().AddCallback(func(p any) (any, error) {
					second = p
					s.StopService().AddCallback(func(any) (any, error) {
						stopFired = true
						s.WhenConnected().AddErrback(func(f *deferred.Failure) (any, error) {
							afterStop = f
							r.Stop()
							return nil, nil
						})
						return nil, nil
					})
					return nil, nil
				})
			})
			return nil, nil
		}).AddErrback(func(f *deferred.Failure) (any, error) { stopped = f; r.Stop(); return nil, nil })
	})
	runFor(t, r)
	if stopped != nil {
		t.Fatal(stopped)
	}
	if first == nil || second == nil || first == second {
		t.Errorf("connections: first %p, second %p", first, second)
	}
	if !stopFired || !errors.Is(afterStop, ErrServiceStopped) {
		t.Errorf("stop fired %v, WhenConnected after stop: %v", stopFired, afterStop)
	}
	if len(server.sides) != 2 {
		t.Errorf("server saw %d connections, want 2", len(server.sides))
	}
}

// A service that cannot connect and has a retry limit fails its waiting
// Deferreds with the reason.
func TestClientServiceGivesUp(t *testing.T) {
	r := newReactor(t)
	s := &ClientService{Reactor: r, Addr: refusedAddr(t), MaxRetries: 2,
		Protocol: func() reactor.Protocol { return &reactor.BaseProtocol{} },
		Backoff:  Backoff{InitialDelay: time.Millisecond, Jitter: -1}}
	var got error
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddErrback(func(f *deferred.Failure) (any, error) {
			got = f
			r.Stop()
			return nil, nil
		})
	})
	runFor(t, r)
	if !errors.Is(got, ErrServiceStopped) || !errors.Is(got, ErrGaveUp) {
		t.Errorf("WhenConnected failed with %v", got)
	}
}

// hookedServer keeps the server side of each connection it accepts.
type hookedServer struct{ sides []reactor.Transport }

// listenHooked listens on a loopback port whose connections are kept in
// the returned hookedServer.
func listenHooked(t *testing.T, r *reactor.Reactor) (*reactor.Port, *hookedServer) {
	t.Helper()
	h := &hookedServer{}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &hook{made: func(t reactor.Transport) { h.sides = append(h.sides, t) }}
	}))
	if err != nil {
		t.Fatal(err)
	}
	return port, h
}

// hook is a server protocol that reports its transport.
type hook struct {
	reactor.BaseProtocol
	made func(reactor.Transport)
}

func (h *hook) ConnectionMade() { h.made(h.Transport) }

// Whatever the fields and n, a delay is between 0 and the largest
// Duration, and without jitter at most MaxDelay: a NaN Factor counts as
// the default (it gave a negative delay), an infinite one jumps to
// MaxDelay, and a huge n is no different from a large one.
func TestBackoffEdges(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		b       Backoff
		n       int
		want    time.Duration // -1: only the bounds are checked
		jittery bool
	}{
		{Backoff{Factor: nan, Jitter: -1}, 2, 2718281828 * time.Nanosecond, false},
		{Backoff{Factor: nan, Jitter: -1}, math.MaxInt, time.Hour, false},
		{Backoff{Factor: inf, Jitter: -1}, 1, time.Second, false},
		{Backoff{Factor: inf, Jitter: -1}, 2, time.Hour, false},
		{Backoff{Factor: 1, Jitter: -1}, 1 << 20, time.Second, false},
		{Backoff{Factor: 1, Jitter: -1}, 0, time.Second, false},
		{Backoff{Factor: 1, Jitter: -1}, math.MinInt, time.Second, false},
		{Backoff{Factor: 1e300, MaxDelay: math.MaxInt64, Jitter: 0.5}, 1 << 30, -1, true},
		{Backoff{InitialDelay: math.MaxInt64, Jitter: 1}, 3, -1, true},
		{Backoff{Jitter: nan}, 5, -1, false},
		{Backoff{Jitter: inf}, 5, -1, true},
		{Backoff{MaxDelay: 1, Jitter: -1}, 50, 1, false},
		{Backoff{Jitter: 0.5, Rand: func() float64 { return -7 }}, 1, 0, true},
		{Backoff{Jitter: 0.5, Rand: func() float64 { return nan }}, 1, 0, true},
	} {
		d := c.b.Delay(c.n)
		switch {
		case d < 0:
			t.Errorf("%+v Delay(%d) = %v: negative", c.b, c.n, d)
		case c.want >= 0 && d != c.want:
			t.Errorf("%+v Delay(%d) = %v, want %v", c.b, c.n, d, c.want)
		case !c.jittery && c.b.MaxDelay > 0 && d > c.b.MaxDelay:
			t.Errorf("%+v Delay(%d) = %v, over MaxDelay", c.b, c.n, d)
		}
	}
}

// Delay(n) costs the same for any n. It multiplied n times with Factor 1,
// the one schedule that never reaches MaxDelay: about a second for retry
// 2^30, spent on the reactor's goroutine.
func TestBackoffDelayCostIsConstant(t *testing.T) {
	b := Backoff{InitialDelay: 10 * time.Millisecond, Factor: 1, Jitter: -1}
	start := time.Now()
	d := b.Delay(1 << 30)
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("Delay(2^30) took %v", took)
	}
	if d != 10*time.Millisecond {
		t.Errorf("Delay(2^30) = %v with Factor 1", d)
	}
}

// After giving up on MaxRetries, ResetDelay resumes the factory (as
// Twisted's resetDelay does): a connection made by hand resets it, and its
// loss is retried. StopTrying stays final even then.
func TestFactoryResetDelayResumesAfterGivingUp(t *testing.T) {
	r := reactortest.NewReactor()
	f := &Factory{Clock: r, MaxRetries: 1, Backoff: Backoff{InitialDelay: time.Second, Jitter: -1}}
	f.Protocol = func() reactor.Protocol { return &reactor.BaseProtocol{} }
	gaveUp := 0
	f.GaveUp = func(error) { gaveUp++ }
	r.ConnectTCP("127.0.0.1:10000", f, time.Second)
	r.LastConnect().Refuse()
	r.Advance(time.Second)
	r.LastConnect().Refuse()
	if gaveUp != 1 || f.Trying() {
		t.Fatalf("gave up %d times, Trying %v; want once, false", gaveUp, f.Trying())
	}
	r.ConnectTCP("127.0.0.1:10000", f, time.Second) // by hand
	tr, _ := r.LastConnect().Complete()             // BuildProtocol resets
	if !f.Trying() {
		t.Fatal("not trying after a successful connection reset the delay")
	}
	tr.ResetPeer()
	n := len(r.Connects())
	r.Advance(time.Second)
	if got := len(r.Connects()) - n; got != 1 {
		t.Fatalf("%d attempts after the loss, want 1 retry", got)
	}

	f.StopTrying()
	f.ResetDelay()
	if f.Trying() {
		t.Error("ResetDelay revived a factory stopped by StopTrying")
	}
	n = len(r.Connects())
	r.LastConnect().Refuse()
	r.Advance(time.Hour)
	if got := len(r.Connects()) - n; got != 0 {
		t.Errorf("%d attempts after StopTrying and ResetDelay, want none", got)
	}
}

// A connection refused by BuildProtocol (no Protocol set) fails as an
// attempt does, and counts toward MaxRetries: BuildProtocol reset the
// delay before building, so every attempt was the first retry again, at
// InitialDelay for ever, and the factory never gave up.
func TestFactoryRefusedConnectionsGiveUp(t *testing.T) {
	r := reactortest.NewReactor()
	var reasons []error
	f := &Factory{Clock: r, MaxRetries: 2, Backoff: Backoff{InitialDelay: time.Second, Jitter: -1},
		GaveUp: func(err error) { reasons = append(reasons, err) }}
	r.ConnectTCP("127.0.0.1:10000", f, time.Second)
	for range 10 {
		if c := r.LastConnect(); c.Pending() {
			c.Complete() // the peer accepts; the factory builds nothing
		}
		r.Advance(time.Hour)
	}
	if len(r.Connects()) != 3 || len(reasons) != 1 || !errors.Is(reasons[0], reactor.ErrNoProtocol) {
		t.Errorf("%d attempts, gave up with %v; want 3 attempts, then to give up once with ErrNoProtocol",
			len(r.Connects()), reasons)
	}
}
