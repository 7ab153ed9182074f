package task

import (
	"strings"
	"sync"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// startAndDrop starts lc and drops its Deferred, as a program that never
// looks at the outcome does.
//
//go:noinline
func startAndDrop(lc *LoopingCall, interval time.Duration) {
	lc.Start(interval, true)
}

// A LoopingCall whose function panics on a running reactor: the loop
// stops, its Deferred fails with the panic, and when nobody handles that
// failure the unhandled-error handler reports it, with the panicking
// function on the traceback. The reactor goes on running: another
// LoopingCall keeps ticking after the panic.
func TestLoopingCallPanicOnReactorIsReported(t *testing.T) {
	var mu sync.Mutex
	var reports []*deferred.Failure
	prev := deferred.SetUnhandledErrorHandler(func(f *deferred.Failure) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, f)
	})
	t.Cleanup(func() { deferred.SetUnhandledErrorHandler(prev) })

	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	calls := 0
	panicker := NewLoopingCall(r, func() error {
		calls++
		if calls == 2 {
			panic("the loop fell over")
		}
		return nil
	})
	ticksAfter := 0
	var steady *LoopingCall
	steady = NewLoopingCall(r, func() error {
		if panicker.Running() {
			return nil
		}
		// The panicking loop has stopped; this one goes on.
		ticksAfter++
		if ticksAfter == 3 {
			steady.Stop()
			r.Stop()
		}
		return nil
	})
	r.CallWhenRunning(func() {
		startAndDrop(panicker, time.Millisecond)
		steady.Start(2*time.Millisecond, true)
	})
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		r.Stop()
		t.Fatal("the reactor did not go on after the panic")
	}
	if calls != 2 || ticksAfter != 3 {
		t.Errorf("%d calls of the panicking function (want 2), %d ticks after it (want 3)", calls, ticksAfter)
	}
	deferred.FlushUnhandled(5 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	var found *deferred.Failure
	for _, f := range reports {
		if strings.Contains(f.Error(), "the loop fell over") {
			found = f
		}
	}
	if found == nil {
		t.Fatalf("the panic was not reported as an unhandled error (reports: %v)", reports)
	}
	if tb := found.Traceback(); !strings.Contains(tb, "TestLoopingCallPanicOnReactorIsReported") {
		t.Errorf("the report's traceback does not show the panicking function:\n%s", tb)
	}
}
