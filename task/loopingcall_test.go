package task

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// outcome records how a Deferred fired.
type outcome struct {
	fired  bool
	result any
	err    *deferred.Failure
}

func watch(d *deferred.Deferred) *outcome {
	o := &outcome{}
	d.AddCallbacks(func(v any) (any, error) {
		o.fired, o.result = true, v
		return v, nil
	}, func(f *deferred.Failure) (any, error) {
		o.fired, o.err = true, f
		return nil, nil
	})
	return o
}

func TestLoopingCallRunsEveryInterval(t *testing.T) {
	c := NewClock()
	var times []time.Duration
	lc := NewLoopingCall(c, func() error {
		times = append(times, c.Now().Sub(time.Unix(0, 0)))
		return nil
	})
	o := watch(lc.Start(time.Second, true))
	if len(times) != 1 || times[0] != 0 {
		t.Fatalf("with now=true the first call is at once: %v", times)
	}
	c.Pump(time.Second, time.Second, 500*time.Millisecond, 500*time.Millisecond)
	if want := "[0s 1s 2s 3s]"; fmtDurations(times) != want {
		t.Errorf("calls at %s, want %s", fmtDurations(times), want)
	}
	if o.fired {
		t.Fatal("the Deferred fired before Stop")
	}
	if err := lc.Stop(); err != nil {
		t.Fatal(err)
	}
	if !o.fired || o.result != lc || o.err != nil {
		t.Errorf("after Stop: fired %v with %v, %v; want the LoopingCall", o.fired, o.result, o.err)
	}
	if len(c.Pending()) != 0 {
		t.Error("Stop left a call pending")
	}
	c.Advance(10 * time.Second)
	if len(times) != 4 {
		t.Errorf("called after Stop: %v", times)
	}
	if !errors.Is(lc.Stop(), ErrNotRunning) {
		t.Error("second Stop did not return ErrNotRunning")
	}
}

func fmtDurations(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

func TestLoopingCallNotNow(t *testing.T) {
	c := NewClock()
	n := 0
	lc := NewLoopingCall(c, func() error { n++; return nil })
	lc.Start(time.Second, false)
	if n != 0 {
		t.Fatal("called at once with now=false")
	}
	c.Advance(time.Second)
	if n != 1 {
		t.Fatalf("%d calls after one interval", n)
	}
	if !lc.Running() || lc.Interval() != time.Second {
		t.Error("Running or Interval wrong")
	}
}

// When the loop falls behind, missed calls are skipped and the next one is
// on the next boundary; the count variant is told how many went by.
func TestLoopingCallFallsBehind(t *testing.T) {
	c := NewClock()
	var plain, counts []int
	NewLoopingCall(c, func() error { plain = append(plain, 1); return nil }).Start(time.Second, true)
	NewLoopingCallWithCount(c, func(n int) error { counts = append(counts, n); return nil }).Start(time.Second, true)
	c.Advance(3500 * time.Millisecond) // three intervals at once
	c.Advance(500 * time.Millisecond)  // on the boundary at 4 s
	c.Advance(time.Second)
	if len(plain) != 4 {
		t.Errorf("plain LoopingCall made %d calls, want 4 (0 s, 3.5 s, 4 s, 5 s)", len(plain))
	}
	if got := fmt.Sprint(counts); got != "[1 3 1 1]" {
		t.Errorf("counts %s, want [1 3 1 1]", got)
	}
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if sum != 6 { // the call at start plus five intervals
		t.Errorf("counts add up to %d, want 6", sum)
	}
}

func TestLoopingCallWithCountNotNow(t *testing.T) {
	c := NewClock()
	var counts []int
	lc := NewLoopingCallWithCount(c, func(n int) error { counts = append(counts, n); return nil })
	lc.Start(time.Second, false)
	c.Advance(time.Second)
	c.Advance(2 * time.Second)
	if got := fmt.Sprint(counts); got != "[1 2]" {
		t.Errorf("counts %s, want [1 2]", got)
	}
}

func TestLoopingCallErrorStopsAndFails(t *testing.T) {
	c := NewClock()
	boom := errors.New("boom")
	n := 0
	lc := NewLoopingCall(c, func() error {
		n++
		if n == 3 {
			return boom
		}
		return nil
	})
	o := watch(lc.Start(time.Second, true))
	c.Pump(time.Second, time.Second, time.Second, time.Second)
	if n != 3 {
		t.Errorf("%d calls, want 3 (none after the error)", n)
	}
	if !o.fired || o.err == nil || !errors.Is(o.err, boom) {
		t.Errorf("Deferred: fired %v, failure %v; want boom", o.fired, o.err)
	}
	if lc.Running() || len(c.Pending()) != 0 {
		t.Error("a failed LoopingCall is still running")
	}
}

func TestLoopingCallPanicFails(t *testing.T) {
	c := NewClock()
	lc := NewLoopingCall(c, func() error { panic("loop down") })
	o := watch(lc.Start(time.Second, true))
	if !o.fired || o.err == nil || !strings.Contains(o.err.Error(), "loop down") {
		t.Fatalf("Deferred: fired %v, failure %v", o.fired, o.err)
	}
	if tb := o.err.Traceback(); !strings.Contains(tb, "TestLoopingCallPanicFails") {
		t.Errorf("the failure's traceback does not show the panicking function:\n%s", tb)
	}
}

func TestLoopingCallStopFromInside(t *testing.T) {
	c := NewClock()
	var lc *LoopingCall
	n := 0
	lc = NewLoopingCall(c, func() error {
		n++
		if n == 2 {
			lc.Stop()
		}
		return nil
	})
	o := watch(lc.Start(time.Second, true))
	c.Advance(time.Second)
	if !o.fired || o.result != lc || n != 2 || len(c.Pending()) != 0 {
		t.Errorf("fired %v (%v), %d calls, %d pending", o.fired, o.result, n, len(c.Pending()))
	}
	// It can be started again.
	o2 := watch(lc.Start(time.Second, false))
	c.Advance(time.Second)
	lc.Stop()
	if n != 3 || !o2.fired {
		t.Errorf("restart: %d calls, fired %v", n, o2.fired)
	}
}

// Start from inside the function, after a Stop there, is refused until the
// function has returned: the first loop's Deferred fires, and no second
// call is scheduled beside the new loop's. Its callbacks may start the loop
// again.
func TestLoopingCallRestartFromInside(t *testing.T) {
	for _, now := range []bool{false, true} {
		c := NewClock()
		var lc *LoopingCall
		var restart, again *outcome
		calls := 0
		lc = NewLoopingCall(c, func() error {
			calls++
			if restart == nil {
				_ = lc.Stop()
				restart = watch(lc.Start(time.Second, now))
			}
			return nil
		})
		o := watch(lc.Start(time.Second, true))
		if restart.err == nil || !errors.Is(restart.err, ErrStopping) {
			t.Errorf("now=%v: Start from inside after Stop: fired %v with %v, %v; want ErrStopping", now, restart.fired, restart.result, restart.err)
		}
		if !o.fired || o.result != lc || len(c.Pending()) != 0 {
			t.Fatalf("now=%v: first loop fired %v (%v), %d calls pending; want it stopped", now, o.fired, o.result, len(c.Pending()))
		}
		// From the Deferred's callbacks, the loop starts again.
		again = watch(lc.Start(time.Second, now))
		c.Pump(time.Second, time.Second, time.Second)
		want := 4 // the first loop's call, and one a second
		if now {
			want++
		}
		if err := lc.Stop(); err != nil || !again.fired || calls != want || len(c.Pending()) != 0 {
			t.Errorf("now=%v: restarted loop: Stop %v, fired %v, %d calls, %d pending; want %d calls, none pending",
				now, err, again.fired, calls, len(c.Pending()), want)
		}
	}
}

func TestLoopingCallStartErrors(t *testing.T) {
	c := NewClock()
	lc := NewLoopingCall(c, func() error { return nil })
	if o := watch(lc.Start(-time.Second, true)); o.err == nil || !errors.Is(o.err, ErrNegativeInterval) {
		t.Errorf("negative interval: %v", o.err)
	}
	lc.Start(time.Second, true)
	if o := watch(lc.Start(time.Second, true)); o.err == nil || !errors.Is(o.err, ErrAlreadyRunning) {
		t.Errorf("second Start: %v", o.err)
	}
	if err := NewLoopingCall(c, nil).Reset(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Reset when not running: %v", err)
	}
}

func TestLoopingCallReset(t *testing.T) {
	c := NewClock()
	n := 0
	lc := NewLoopingCall(c, func() error { n++; return nil })
	lc.Start(time.Second, false)
	c.Advance(900 * time.Millisecond)
	lc.Reset()
	c.Advance(900 * time.Millisecond)
	if n != 0 {
		t.Fatal("Reset did not push the next call back")
	}
	c.Advance(100 * time.Millisecond)
	if n != 1 {
		t.Fatalf("%d calls one interval after Reset", n)
	}
}

// On a real reactor: a LoopingCall stops the reactor after five quick ticks.
func TestLoopingCallOnReactor(t *testing.T) {
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var lc *LoopingCall
	lc = NewLoopingCall(r, func() error {
		n++
		if n == 5 {
			lc.Stop()
		}
		return nil
	})
	r.CallWhenRunning(func() {
		lc.Start(time.Millisecond, true).AddBoth(func(v any) (any, error) {
			r.Stop()
			return nil, nil
		})
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
		t.Fatal("reactor did not stop")
	}
	if n != 5 {
		t.Errorf("%d ticks", n)
	}
}

// An iteration reschedules the call that just ran instead of making a new
// one: a LoopingCall that runs every 10 ms for hours allocates nothing per
// tick.
func TestLoopingCallTickAllocatesNothing(t *testing.T) {
	clock := &Clock{}
	n := 0
	lc := NewLoopingCall(clock, func() error { n++; return nil })
	lc.Start(10*time.Millisecond, false)
	clock.Advance(10 * time.Millisecond) // the first tick
	allocs := testing.AllocsPerRun(100, func() { clock.Advance(10 * time.Millisecond) })
	if allocs != 0 {
		t.Errorf("%.1f allocations per tick, want 0", allocs)
	}
	if n != 102 {
		t.Errorf("%d calls, want 102", n)
	}
	lc.Stop()
	lc.Start(10*time.Millisecond, false) // after a Stop the loop starts again
	clock.Advance(10 * time.Millisecond)
	if n != 103 {
		t.Errorf("%d calls after a restart, want 103", n)
	}
}

// One iteration of a LoopingCall on a task.Clock: the function and the
// rescheduling of the call that ran.
func BenchmarkLoopingCallTick(b *testing.B) {
	clock := &Clock{}
	lc := NewLoopingCall(clock, func() error { return nil })
	lc.Start(time.Millisecond, false)
	b.ReportAllocs()
	for b.Loop() {
		clock.Advance(time.Millisecond)
	}
	lc.Stop()
}
