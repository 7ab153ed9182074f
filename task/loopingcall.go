package task

import (
	"fmt"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// LoopingCall calls a function every interval on a reactor.Clock until
// stopped (Twisted's task.LoopingCall).
//
// Calls are aligned on the start time: with a 1 s interval they are due at
// start+1 s, start+2 s..., whatever each call took. If the loop falls
// behind (a callback blocked the reactor for 3.5 s) the missed calls are not
// made up: the next call is at the next boundary. A LoopingCall made with
// NewLoopingCallWithCount learns how many intervals went by instead.
//
// Start returns a Deferred that fires with the *LoopingCall when Stop is
// called, or fails with the function's error (a panic counts as one, with
// its traceback) when the function fails, which also stops the loop.
//
// A function whose work per call is asynchronous returns a Deferred instead
// (NewLoopingCallDeferred): the loop waits for it before scheduling the
// next call, and stops with its failure if it fails.
type LoopingCall struct {
	clock     reactor.Clock
	f         func(count int) error
	fd        func(count int) *deferred.Deferred // the function, for a LoopingCall made with NewLoopingCallDeferred
	withCount bool
	tick      func() // lc.run, made once so rescheduling does not allocate

	running    bool
	interval   time.Duration
	start      time.Time
	runAtStart bool
	last       time.Time // when the count variant last called f
	called     bool      // last is set
	call       *reactor.DelayedCall
	spent      *reactor.DelayedCall // the call that ran last, to rearm
	done       *deferred.Deferred

	// waiting is set while the function runs and, for fd, until the
	// Deferred it returned has fired: no call is scheduled meanwhile, and
	// Start is refused, since the iteration in progress still has to end
	// the loop it belongs to.
	waiting  bool
	onFired  deferred.Callback // lc.fired and lc.failed, made once:
	onFailed deferred.Errback  // adding them to each Deferred allocates nothing more
}

// NewLoopingCall returns a LoopingCall that will call f on clock. It does
// nothing until Start.
func NewLoopingCall(clock reactor.Clock, f func() error) *LoopingCall {
	return newLoopingCall(clock, func(int) error { return f() }, false)
}

// NewLoopingCallWithCount is NewLoopingCall for a function that wants to
// know how many intervals have passed since it was last called: 1 when the
// loop keeps up, more when calls were skipped because it fell behind (a
// blocked reactor, a Clock advanced by several intervals at once). Adding
// up the counts gives the number of intervals since Start, as with
// Twisted's LoopingCall.withCount.
func NewLoopingCallWithCount(clock reactor.Clock, f func(count int) error) *LoopingCall {
	return newLoopingCall(clock, f, true)
}

func newLoopingCall(clock reactor.Clock, f func(int) error, withCount bool) *LoopingCall {
	lc := &LoopingCall{clock: clock, f: f, withCount: withCount}
	lc.tick = lc.run
	return lc
}

// Running reports whether the loop is started and not stopped.
func (lc *LoopingCall) Running() bool { return lc.running }

// Interval returns the interval given to Start.
func (lc *LoopingCall) Interval() time.Duration { return lc.interval }

// Start starts calling the function every interval: first at once if now is
// true, else after one interval. An interval of 0 calls it on every turn of
// the reactor. The Deferred fires when the loop stops (see LoopingCall); it
// is already failed if the loop is running or interval is negative, and
// while the call that was running when it was stopped has not finished
// (ErrStopping): from inside the function, or, for a LoopingCall made with
// NewLoopingCallDeferred, before its Deferred has fired. A loop stopped
// from inside its function can be started again from the Deferred's
// callbacks, which run once the function has returned.
func (lc *LoopingCall) Start(interval time.Duration, now bool) *deferred.Deferred {
	if lc.running {
		return deferred.Fail(ErrAlreadyRunning)
	}
	if lc.waiting {
		return deferred.Fail(ErrStopping)
	}
	if interval < 0 {
		return deferred.Fail(fmt.Errorf("%w: %v", ErrNegativeInterval, interval))
	}
	done := deferred.New()
	lc.done = done
	lc.running = true
	lc.interval = interval
	lc.start = lc.clock.Now()
	lc.runAtStart = now
	lc.called = false
	if now {
		lc.run()
	} else {
		lc.scheduleFrom(lc.start)
	}
	return done
}

// Stop stops the loop and fires the Deferred Start returned. Called from
// inside the function, it fires it once the function has returned. While
// the Deferred returned by a call (NewLoopingCallDeferred) has not fired,
// it fires it once that one has, with its failure if it fails, and the
// function is not called again. It returns ErrNotRunning if the loop is
// not running.
func (lc *LoopingCall) Stop() error {
	if !lc.running {
		return ErrNotRunning
	}
	lc.running = false
	if lc.call != nil {
		lc.call.Cancel()
		lc.call = nil
		lc.finish(nil)
	}
	return nil
}

// Reset skips the pending call and starts counting intervals again from
// now (Twisted's LoopingCall.reset). While the Deferred returned by a call
// (NewLoopingCallDeferred) has not fired, no call is pending and Reset does
// nothing, as in Twisted. It returns ErrNotRunning if the loop is not
// running.
func (lc *LoopingCall) Reset() error {
	if !lc.running {
		return ErrNotRunning
	}
	if lc.call != nil {
		lc.call.Cancel()
		lc.call = nil
		lc.start = lc.clock.Now()
		lc.scheduleFrom(lc.start)
	}
	return nil
}

// run is one iteration: call the function, then schedule the next one, or
// fire the Deferred if the function stopped the loop or failed.
func (lc *LoopingCall) run() {
	lc.spent, lc.call = lc.call, nil
	if lc.fd != nil {
		lc.runDeferred()
		return
	}
	// Start is refused while f runs: a loop stopped and started again
	// from inside f would lose the first Start's Deferred, and this
	// iteration would schedule a second call beside the new loop's.
	lc.waiting = true
	err := lc.callFunction()
	lc.waiting = false
	lc.iterationDone(err)
}

// iterationDone ends an iteration whose function returned err (or whose
// Deferred fired): the loop stops with err, or fires the Deferred Start
// returned if Stop was called meanwhile, or schedules the next call at the
// first interval boundary after now.
func (lc *LoopingCall) iterationDone(err error) {
	if err != nil {
		lc.running = false
		lc.finish(err)
		return
	}
	if lc.running {
		lc.scheduleFrom(lc.clock.Now())
	} else {
		lc.finish(nil)
	}
}

func (lc *LoopingCall) finish(err error) {
	done := lc.done
	lc.done = nil
	if err != nil {
		done.Errback(err)
	} else {
		done.Callback(lc)
	}
}

// callFunction calls f, with the count if it wants one, turning a panic
// into a Failure.
func (lc *LoopingCall) callFunction() (err error) {
	count := 1
	if lc.withCount {
		var ok bool
		if count, ok = lc.count(); !ok {
			return nil
		}
	}
	defer func() {
		if p := recover(); p != nil {
			err = deferred.NewFailureFromPanic(p)
		}
	}()
	return lc.f(count)
}

// count returns how many interval boundaries were crossed since f was last
// called (since Start, counting the call at Start, the first time). false
// means none was: the clock reached the call's due time without crossing a
// boundary, so f is not called (it can happen when rounding makes a call
// fire a hair early).
func (lc *LoopingCall) count() (int, bool) {
	now := lc.clock.Now()
	if lc.interval == 0 {
		lc.last, lc.called = now, true
		return 1, true
	}
	last := lc.last
	if !lc.called {
		last = lc.start
		if lc.runAtStart {
			last = last.Add(-lc.interval)
		}
	}
	n := lc.intervalOf(now) - lc.intervalOf(last)
	if n <= 0 {
		return 0, false
	}
	lc.last, lc.called = now, true
	return int(n), true
}

// intervalOf returns which interval since the start t falls in (floored,
// so the instant before the start is in interval -1).
func (lc *LoopingCall) intervalOf(t time.Time) int64 {
	elapsed := t.Sub(lc.start)
	n := int64(elapsed / lc.interval)
	if elapsed%lc.interval < 0 {
		n--
	}
	return n
}

// scheduleFrom schedules the next call at the first interval boundary after
// when.
func (lc *LoopingCall) scheduleFrom(when time.Time) {
	var d time.Duration
	if lc.interval > 0 {
		elapsed := when.Sub(lc.start)
		if elapsed < 0 {
			elapsed = 0 // the clock went back: count from the start
		}
		d = lc.interval - elapsed%lc.interval
	}
	// The call that just ran is scheduled again rather than a new one
	// made: an iteration allocates nothing.
	if lc.spent != nil && lc.spent.Rearm(d, lc.tick) == nil {
		lc.call, lc.spent = lc.spent, nil
		return
	}
	lc.call = lc.clock.CallLater(d, lc.tick)
}
