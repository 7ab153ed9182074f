package task

import (
	"gyre/deferred"
	"gyre/reactor"
)

// NewLoopingCallDeferred returns a LoopingCall whose function does
// asynchronous work and returns a Deferred for it (Twisted's LoopingCall
// with a function that returns a Deferred). The loop waits for the Deferred
// before it schedules the next call: at the first interval boundary after
// the moment the Deferred fired, so the calls never overlap, and the
// boundaries that went by while it was pending are skipped. If the Deferred
// fails (or the function panics), the loop stops and the Deferred Start
// returned fails with that failure. The Deferred's result is taken over:
// its chain goes on with nil, and its failure, handed to the loop, is not
// reported as unhandled. A nil Deferred is a call that is done at once.
//
// Stop while a Deferred is pending makes no further call and fires the
// loop's Deferred once the pending one has fired (with its failure, if it
// fails); Reset then does nothing, since no call is scheduled.
func NewLoopingCallDeferred(clock reactor.Clock, f func() *deferred.Deferred) *LoopingCall {
	return newLoopingCallDeferred(clock, func(int) *deferred.Deferred { return f() }, false)
}

// NewLoopingCallDeferredWithCount is NewLoopingCallDeferred for a function
// that wants to know how many intervals have passed since it was last
// called, as with NewLoopingCallWithCount. The intervals a pending Deferred
// made the loop skip are counted: with a 1 s interval, a call at 0 s whose
// Deferred fires at 2.5 s is followed by a call at 3 s with a count of 3.
func NewLoopingCallDeferredWithCount(clock reactor.Clock, f func(count int) *deferred.Deferred) *LoopingCall {
	return newLoopingCallDeferred(clock, f, true)
}

func newLoopingCallDeferred(clock reactor.Clock, f func(int) *deferred.Deferred, withCount bool) *LoopingCall {
	lc := &LoopingCall{clock: clock, fd: f, withCount: withCount}
	lc.tick = lc.run
	lc.onFired = lc.fired
	lc.onFailed = lc.failed
	return lc
}

// runDeferred is an iteration of a LoopingCall made with
// NewLoopingCallDeferred: call the function and wait for its Deferred,
// which may have fired already (the iteration then ends at once).
func (lc *LoopingCall) runDeferred() {
	lc.waiting = true
	d, err := lc.callDeferredFunction()
	if err != nil || d == nil {
		lc.waiting = false
		lc.iterationDone(err)
		return
	}
	d.AddCallbacks(lc.onFired, lc.onFailed)
}

// fired is the callback the loop adds to a call's Deferred.
func (lc *LoopingCall) fired(any) (any, error) {
	lc.waiting = false
	lc.iterationDone(nil)
	return nil, nil
}

// failed is the errback the loop adds to a call's Deferred: the failure
// now belongs to the loop's own Deferred.
func (lc *LoopingCall) failed(f *deferred.Failure) (any, error) {
	lc.waiting = false
	lc.iterationDone(f)
	return nil, nil
}

// callDeferredFunction calls fd, with the count if it wants one, turning a
// panic into a Failure. A nil Deferred and a nil error mean there was
// nothing to wait for, including when no interval boundary was crossed and
// fd was not called (see count).
func (lc *LoopingCall) callDeferredFunction() (d *deferred.Deferred, err error) {
	count := 1
	if lc.withCount {
		var ok bool
		if count, ok = lc.count(); !ok {
			return nil, nil
		}
	}
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, deferred.NewFailureFromPanic(p)
		}
	}()
	return lc.fd(count), nil
}
