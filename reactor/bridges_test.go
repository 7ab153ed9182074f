package reactor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/internal/progtest"
)

// BlockingCall on the loop, directly in a callback or in an Inline body the
// loop resumed, returns ErrBlockingCallOnLoop at once instead of waiting
// for itself; f does not run.
func TestBlockingCallOnLoopReturnsAtOnce(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	ran := false
	f := func() *deferred.Deferred { ran = true; return nil }
	var inCallback, inBody error
	r.CallWhenRunning(func() {
		_, inCallback = BlockingCall(r, f)
		later := deferred.New()
		r.CallLater(0, func() { _ = later.Callback(nil) })
		deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			if _, err := co.Await(later); err != nil {
				return nil, err
			}
			_, inBody = BlockingCall(r, f) // resumed by the loop's timer
			return nil, r.Stop()
		})
	})
	run(t, r)
	if !errors.Is(inCallback, ErrBlockingCallOnLoop) || !errors.Is(inBody, ErrBlockingCallOnLoop) {
		t.Errorf("in a callback: %v; in an Inline body: %v", inCallback, inBody)
	}
	if ran {
		t.Error("f ran")
	}
}

// BlockingCallContext gives up when its context is done and cancels the
// Deferred on the loop.
func TestBlockingCallContextCancels(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	cancelled := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	go func() {
		defer func() { _ = r.CallFromGoroutine(func() { r.Stop() }) }()
		_, err = BlockingCallContext(ctx, r, func() *deferred.Deferred {
			cancel() // the call is on its way: cancel while it waits
			return deferred.NewWithCanceller(func(*deferred.Deferred) { close(cancelled) })
		})
	}()
	run(t, r)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("error %v", err)
	}
	select {
	case <-cancelled:
	default:
		t.Error("the Deferred was not cancelled")
	}
	// A context already done: nothing is sent to the loop.
	if _, err := BlockingCallContext(ctx, r, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("with a done context: %v", err)
	}
}

func TestCancelOnDone(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithCancel(context.Background())
	waiting, fired := deferred.New(), deferred.New()
	var waitErr, firedErr error
	var firedVal any
	r.CallWhenRunning(func() {
		CancelOnDone(r, ctx, waiting).AddErrback(func(f *deferred.Failure) (any, error) {
			waitErr = f
			return nil, r.Stop()
		})
		CancelOnDone(r, ctx, fired).AddCallbacks(func(v any) (any, error) {
			firedVal = v
			return nil, nil
		}, func(f *deferred.Failure) (any, error) {
			firedErr = f
			return nil, nil
		})
		_ = fired.Callback("in time")
		go cancel()
	})
	run(t, r)
	if !errors.Is(waitErr, deferred.ErrCancelled) || !errors.Is(waitErr, context.Canceled) {
		t.Errorf("the waiting Deferred failed with %v", waitErr)
	}
	if firedVal != "in time" || firedErr != nil {
		t.Errorf("the fired Deferred: %v, %v", firedVal, firedErr)
	}
}

// A context cancelled with a cause of its own: the failure matches the
// cause and context.Canceled both, as the docs say.
func TestCancelOnDoneWithACause(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithCancelCause(context.Background())
	gaveUp := errors.New("user gave up")
	var err error
	r.CallWhenRunning(func() {
		CancelOnDone(r, ctx, deferred.New()).AddErrback(func(f *deferred.Failure) (any, error) {
			err = f
			return nil, r.Stop()
		})
		go cancel(gaveUp)
	})
	run(t, r)
	if !errors.Is(err, deferred.ErrCancelled) || !errors.Is(err, context.Canceled) || !errors.Is(err, gaveUp) {
		t.Errorf("failed with %v", err)
	}
	if got := whyDone(ctx).Error(); got != "context canceled: user gave up" {
		t.Errorf("whyDone %q", got)
	}
	plain, stop := context.WithCancel(context.Background())
	stop()
	if got := whyDone(plain); got != context.Canceled {
		t.Errorf("whyDone of a plain cancel: %v", got)
	}
}

func TestRunContext(t *testing.T) {
	for _, early := range []bool{false, true} {
		r, _ := newReactor(t, DefaultBackend())
		ctx, cancel := context.WithCancel(context.Background())
		if early {
			cancel()
		} else {
			r.CallWhenRunning(func() { go cancel() })
		}
		errc := make(chan error, 1)
		go func() { errc <- r.RunContext(ctx) }()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("RunContext: %v", err)
			}
		case <-time.After(testTimeout):
			r.Stop()
			t.Fatalf("still running after the context was cancelled (early %v)", early)
		}
	}
}

// ConnectTCPContext: a context cancelled during an attempt that gets no
// answer stops it, with an error naming both causes; a deadline bounds it.
func TestConnectTCPContext(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithCancel(context.Background())
	deadline, cancelDeadline := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelDeadline()
	failures := 0
	cf := &clientFactory{onFail: func(*Connector, error) {
		if failures++; failures == 2 {
			r.Stop()
		}
	}}
	cf2 := &clientFactory{onFail: cf.onFail}
	var c *Connector
	r.CallWhenRunning(func() {
		c = r.ConnectTCPContext(ctx, addr, cf)
		r.ConnectTCPContext(deadline, addr, cf2)
		r.CallLater(10*time.Millisecond, cancel)
	})
	run(t, r)
	var ce *ConnectError
	if len(cf.failed) != 1 || !errors.As(cf.failed[0], &ce) ||
		!errors.Is(cf.failed[0], ErrConnectCancelled) || !errors.Is(cf.failed[0], context.Canceled) {
		t.Errorf("cancelled: %v", cf.failed)
	}
	if c.State() != Disconnected {
		t.Errorf("state %v", c.State())
	}
	if len(cf2.failed) != 1 || !errors.As(cf2.failed[0], &ce) ||
		!ce.Timeout() || !errors.Is(ce, ErrConnectTimeout) || !errors.Is(ce, context.DeadlineExceeded) {
		t.Errorf("past the deadline: %v", cf2.failed)
	}
}

// The debug check: a loop-only method called from a foreign goroutine
// panics, naming the method and the fix; on the loop and in an Inline body
// it does not.
func TestDebugCatchesForeignGoroutine(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithDebug(true))
	var foreign any
	var onLoop, inBody bool
	r.CallWhenRunning(func() {
		r.CallLater(0, func() {}) // on the loop: fine
		onLoop = true
		deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			d := deferred.New()
			r.CallLater(0, func() { _ = d.Callback(nil) })
			if _, err := co.Await(d); err != nil {
				return nil, err
			}
			r.CallLater(0, func() {}) // in a body the loop resumed: fine
			inBody = true
			return nil, nil
		})
		go func() {
			defer func() {
				foreign = recover()
				_ = r.CallFromGoroutine(func() { r.Stop() })
			}()
			r.CallLater(time.Hour, func() {})
		}()
	})
	run(t, r)
	if !onLoop || !inBody {
		t.Errorf("on the loop %v, in a body %v", onLoop, inBody)
	}
	msg, _ := foreign.(string)
	if !strings.Contains(msg, "CallLater called from goroutine") || !strings.Contains(msg, "r.CallFromGoroutine(") {
		t.Errorf("panic %#v", foreign)
	}
}

// Without the debug option the check costs a branch and says nothing; the
// environment variable turns it on, and a bad value is refused.
func TestDebugOption(t *testing.T) {
	t.Setenv(DebugEnv, "")
	r, _ := newReactor(t, DefaultBackend())
	if r.goBridges.debug {
		t.Error("debug on by default")
	}
	r.goBridges.loopGoid.Store(-1) // as if another goroutine ran the loop
	r.checkLoop("CallLater")       // must not panic
	r.goBridges.loopGoid.Store(0)

	t.Setenv(DebugEnv, "1")
	if r, _ := newReactor(t, DefaultBackend()); !r.goBridges.debug {
		t.Errorf("%s=1 did not turn the checks on", DebugEnv)
	}
	if r, _ := newReactor(t, DefaultBackend(), WithDebug(false)); r.goBridges.debug {
		t.Error("WithDebug(false) did not win over the environment")
	}
	t.Setenv(DebugEnv, "maybe")
	if _, err := New(); err == nil || !strings.Contains(err.Error(), `GYRE_DEBUG="maybe" is not a boolean`) {
		t.Errorf("New with a bad %s: %v", DebugEnv, err)
	}
}

func TestParseGoid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   int64
		okay bool
	}{
		{"goroutine 12 [running]:\n", 12, true},
		{"goroutine 1 [", 1, true},
		{"goroutine x [running]", 0, false},
		{"goroutine 12", 0, false},
		{"", 0, false},
	} {
		if id, ok := parseGoid([]byte(tc.in)); id != tc.id || ok != tc.okay {
			t.Errorf("parseGoid(%q) = %d, %v", tc.in, id, ok)
		}
	}
	if goid() <= 0 {
		t.Error("goid of this goroutine")
	}
}

// BenchmarkLoopCheck is the cost of the check at the top of every loop-only
// method: a branch with the debug option off, the goroutine's identity with
// it on (on the loop goroutine, the common case).
func BenchmarkLoopCheck(b *testing.B) {
	for _, debug := range []bool{false, true} {
		b.Run(fmt.Sprintf("debug=%v", debug), func(b *testing.B) {
			r, _ := newReactor(b, DefaultBackend(), WithDebug(debug))
			r.goBridges.loopGoid.Store(goid()) // as if this goroutine ran the loop
			defer r.goBridges.loopGoid.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				r.checkLoop("CallLater")
			}
		})
	}
}

func TestInlineBodyFrame(t *testing.T) {
	if got := string(inlineBodyFrame); got != "gyre/deferred.(*Coroutine).run(" {
		t.Errorf("inlineBodyFrame = %q", got)
	}
	in := false
	deferred.Inline(func(*deferred.Coroutine) (any, error) { in = callerIs(-1); return nil, nil })
	if !in || callerIs(-1) || !callerIs(goid()) {
		t.Errorf("in a body: %v; outside: %v; this goroutine: %v", in, callerIs(-1), callerIs(goid()))
	}
}

// BenchmarkBlockingCall is a round trip from another goroutine through the
// loop, the check that it is not the loop included.
func BenchmarkBlockingCall(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend())
	go func() {
		for b.Loop() {
			if _, err := BlockingCall(r, func() *deferred.Deferred { return nil }); err != nil {
				b.Error(err)
				break
			}
		}
		_ = r.CallFromGoroutine(func() { r.Stop() })
	}()
	b.ReportAllocs()
	run(b, r)
}

// BenchmarkOnLoopForeign is the check alone, made from another goroutine
// than the loop's (BlockingCall's common case).
func BenchmarkOnLoopForeign(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend())
	r.goBridges.loopGoid.Store(-1)
	defer r.goBridges.loopGoid.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		if r.onLoop() {
			b.Fatal("taken for the loop")
		}
	}
}

// The most common misuse: writing to a connection from a goroutine of
// one's own. With the debug checks on, the Write panics at once.
func TestDebugCatchesForeignWrite(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithDebug(true))
	port, err := r.ListenTCP("127.0.0.1:0", FactoryFunc(func(net.Addr) Protocol { return &recorder{} }))
	if err != nil {
		t.Fatal(err)
	}
	var foreign any
	cf := &clientFactory{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			p.Transport.Write([]byte("from the loop: fine\n"))
			go func() {
				defer func() {
					foreign = recover()
					_ = r.CallFromGoroutine(func() { r.Stop() })
				}()
				p.Transport.Write([]byte("from elsewhere\n"))
			}()
		}}
	}}
	r.ConnectTCP(port.Addr().String(), cf, testTimeout)
	run(t, r)
	if msg, _ := foreign.(string); !strings.Contains(msg, "reactor: Conn.Write called from goroutine") {
		t.Errorf("panic %#v", foreign)
	}
}
