package task

import (
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// DeferLater calls f after delay on clock and returns a Deferred for its
// result (Twisted's task.deferLater). f's error, or a panic in f, fails the
// Deferred; if f returns a *deferred.Deferred, the result is that one's.
// f may be nil: the Deferred then fires with nil after the delay.
//
// Cancelling the Deferred before the delay is over cancels the call; the
// Deferred then fails with deferred.ErrCancelled.
func DeferLater(clock reactor.Clock, delay time.Duration, f func() (any, error)) *deferred.Deferred {
	var call *reactor.DelayedCall
	d := deferred.NewWithCanceller(func(*deferred.Deferred) { call.Cancel() })
	call = clock.CallLater(delay, func() { d.Callback(nil) })
	if f != nil {
		// A callback, so the Deferred machinery turns a panic into a
		// Failure and waits for a returned Deferred, as Twisted's does.
		d.AddCallback(func(any) (any, error) { return f() })
	}
	return d
}
