package reactor

import "time"

// Clock is the part of a reactor that deals with time: what time it is, and
// running a function later. It is Twisted's IReactorTime.
//
// *Reactor (real time) and the fake *task.Clock (time advanced by hand in
// tests) both satisfy it, so code that only schedules work, such as
// task.LoopingCall, takes a Clock and can be tested without sleeping.
//
// Like the rest of the reactor, a Clock is used from one goroutine only.
type Clock interface {
	// Now returns the clock's current time.
	Now() time.Time
	// CallLater arranges for f to run d from now. A negative d counts as 0.
	CallLater(d time.Duration, f func()) *DelayedCall
}

var _ Clock = (*Reactor)(nil)
