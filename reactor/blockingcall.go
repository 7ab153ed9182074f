package reactor

import (
	"context"

	"gyre/deferred"
)

// BlockingCall runs f on r's loop goroutine and blocks the calling goroutine
// until the Deferred f returns has fired, then returns its result: the value,
// or the *deferred.Failure as the error (Twisted's blockingCallFromThread).
// It is for code running on other goroutines that needs something only the
// reactor can produce. A panic in f is returned as a Failure; a nil Deferred
// counts as a nil result.
//
// It returns ErrReactorStopped if the reactor stops before the result is
// there. Called on the loop goroutine itself (or in a deferred.Inline body
// the loop resumed), where it could only wait for itself forever, it returns
// ErrBlockingCallOnLoop at once and f does not run. BlockingCallContext
// also gives up when a context is done.
func BlockingCall(r *Reactor, f func() *deferred.Deferred) (any, error) {
	return BlockingCallContext(context.Background(), r, f)
}
