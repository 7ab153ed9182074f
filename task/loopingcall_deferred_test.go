package task

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"gyre/deferred"
)

// deferredCalls is a function for NewLoopingCallDeferredWithCount that
// records when it was called, with which count, and returns a Deferred the
// test fires.
type deferredCalls struct {
	clock   *Clock
	calls   []string
	pending []*deferred.Deferred
}

func (dc *deferredCalls) call(count int) *deferred.Deferred {
	dc.calls = append(dc.calls, fmt.Sprintf("%v:%d", dc.clock.Now().Sub(time.Unix(0, 0)), count))
	d := deferred.New()
	dc.pending = append(dc.pending, d)
	return d
}

func (dc *deferredCalls) last() *deferred.Deferred { return dc.pending[len(dc.pending)-1] }

// The loop waits for each call's Deferred, then calls again at the first
// boundary after it fired, counting the intervals it skipped. The times and
// counts are those of Twisted 22.4's LoopingCall.withCount on a
// task.Clock: (0, 1), (3, 3), (5, 2).
func TestLoopingCallDeferredWaitsAndCountsSkipped(t *testing.T) {
	c := NewClock()
	dc := &deferredCalls{clock: c}
	lc := NewLoopingCallDeferredWithCount(c, dc.call)
	o := watch(lc.Start(time.Second, true))
	c.Advance(2500 * time.Millisecond)
	if len(dc.calls) != 1 || len(c.Pending()) != 0 {
		t.Fatalf("called %v with %d calls pending while the first Deferred had not fired", dc.calls, len(c.Pending()))
	}
	_ = dc.last().Callback("ignored")
	c.Advance(500 * time.Millisecond) // 3 s: the first boundary after 2.5 s
	c.Advance(time.Second)            // 4 s: the second call's Deferred is pending
	_ = dc.last().Callback(nil)       // fired at 4 s, on a boundary: next at 5 s
	c.Advance(time.Second)
	if got, want := fmt.Sprint(dc.calls), "[0s:1 3s:3 5s:2]"; got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
	if o.fired {
		t.Error("the loop's Deferred fired before Stop")
	}
	if !lc.Running() {
		t.Error("not running")
	}
}

// Without the count, and with now=false: the first call one interval after
// Start, the next at the boundary after its Deferred fired.
func TestLoopingCallDeferredNotNow(t *testing.T) {
	c := NewClock()
	dc := &deferredCalls{clock: c}
	lc := NewLoopingCallDeferred(c, func() *deferred.Deferred { return dc.call(1) })
	lc.Start(time.Second, false)
	c.Advance(time.Second)
	c.Advance(time.Second)
	_ = dc.last().Callback(nil)
	c.Advance(time.Second)
	if got, want := fmt.Sprint(dc.calls), "[1s:1 3s:1]"; got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
}

// Stop while a Deferred is pending: no further call, and the loop's
// Deferred fires with the LoopingCall once the pending one has fired.
func TestLoopingCallDeferredStopWhilePending(t *testing.T) {
	c := NewClock()
	dc := &deferredCalls{clock: c}
	lc := NewLoopingCallDeferredWithCount(c, dc.call)
	o := watch(lc.Start(time.Second, true))
	if err := lc.Stop(); err != nil {
		t.Fatal(err)
	}
	if o.fired || lc.Running() {
		t.Fatalf("Stop while pending: fired %v, running %v; want neither", o.fired, lc.Running())
	}
	if err := lc.Reset(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Reset after Stop: %v, want ErrNotRunning", err)
	}
	if o2 := watch(lc.Start(time.Second, true)); !errors.Is(o2.err, ErrStopping) {
		t.Errorf("Start while the last call's Deferred is pending: %v, want ErrStopping", o2.err)
	}
	_ = dc.last().Callback(nil)
	if !o.fired || o.result != lc || o.err != nil {
		t.Errorf("after the pending Deferred fired: fired %v with %v, %v; want the LoopingCall", o.fired, o.result, o.err)
	}
	c.Advance(10 * time.Second)
	if len(dc.calls) != 1 || len(c.Pending()) != 0 {
		t.Errorf("calls %v, %d pending after Stop", dc.calls, len(c.Pending()))
	}
	// Once it has fired, the loop starts again.
	watch(lc.Start(time.Second, false))
	c.Advance(time.Second)
	if len(dc.calls) != 2 {
		t.Errorf("calls %v after a restart, want two", dc.calls)
	}
}

// Stop and Start again from inside the function: the Start is refused
// until the call has finished, so that two loops never run side by side.
func TestLoopingCallDeferredRestartFromInside(t *testing.T) {
	c := NewClock()
	dc := &deferredCalls{clock: c}
	var lc *LoopingCall
	var restart *outcome
	lc = NewLoopingCallDeferredWithCount(c, func(n int) *deferred.Deferred {
		if restart == nil {
			_ = lc.Stop()
			restart = watch(lc.Start(time.Second, false))
		}
		return dc.call(n)
	})
	o := watch(lc.Start(time.Second, true))
	if !errors.Is(restart.err, ErrStopping) {
		t.Errorf("Start from inside after Stop: %v, want ErrStopping", restart.err)
	}
	_ = dc.last().Callback(nil)
	c.Advance(10 * time.Second)
	if !o.fired || len(dc.calls) != 1 || len(c.Pending()) != 0 {
		t.Errorf("fired %v, calls %v, %d pending; want the loop stopped after one call", o.fired, dc.calls, len(c.Pending()))
	}
}

// A failing Deferred stops the loop and fails the loop's Deferred with its
// failure, also after a Stop made while it was pending.
func TestLoopingCallDeferredFailureStops(t *testing.T) {
	boom := errors.New("boom")
	for _, stopFirst := range []bool{false, true} {
		c := NewClock()
		dc := &deferredCalls{clock: c}
		lc := NewLoopingCallDeferredWithCount(c, dc.call)
		o := watch(lc.Start(time.Second, true))
		if stopFirst {
			_ = lc.Stop()
		}
		_ = dc.last().Errback(boom)
		if !o.fired || !errors.Is(o.err, boom) {
			t.Errorf("stop first %v: fired %v with %v, %v; want boom", stopFirst, o.fired, o.result, o.err)
		}
		c.Advance(10 * time.Second)
		if lc.Running() || len(dc.calls) != 1 || len(c.Pending()) != 0 {
			t.Errorf("stop first %v: running %v, calls %v, %d pending", stopFirst, lc.Running(), dc.calls, len(c.Pending()))
		}
	}
}

// A Deferred that has fired already, or a nil one, ends the call at once;
// a panic fails the loop as with NewLoopingCall.
func TestLoopingCallDeferredFiredNilAndPanic(t *testing.T) {
	c := NewClock()
	n := 0
	lc := NewLoopingCallDeferred(c, func() *deferred.Deferred {
		n++
		if n%2 == 0 {
			return nil
		}
		return deferred.Succeed(n)
	})
	lc.Start(time.Second, true)
	c.Pump(time.Second, time.Second, time.Second)
	if n != 4 {
		t.Errorf("%d calls in 3 s with now=true, want 4", n)
	}
	_ = lc.Stop()

	lc = NewLoopingCallDeferred(c, func() *deferred.Deferred { panic("loop down") })
	if o := watch(lc.Start(time.Second, true)); o.err == nil || lc.Running() {
		t.Errorf("a panic: failure %v, running %v", o.err, lc.Running())
	}
}
