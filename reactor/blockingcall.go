package reactor

import "gyre/deferred"

// BlockingCall runs f on r's loop goroutine and blocks the calling goroutine
// until the Deferred f returns has fired, then returns its result: the value,
// or the *deferred.Failure as the error (Twisted's blockingCallFromThread).
// It is for code running on other goroutines that needs something only the
// reactor can produce. A panic in f is returned as a Failure; a nil Deferred
// counts as a nil result.
//
// It returns ErrReactorStopped if the reactor stops before the result is
// there. Never call it on the loop goroutine itself: the loop would wait for
// itself forever.
func BlockingCall(r *Reactor, f func() *deferred.Deferred) (any, error) {
	type result struct {
		value any
		err   error
	}
	results := make(chan result, 1)
	err := r.CallFromGoroutine(func() {
		var d *deferred.Deferred
		func() {
			defer func() {
				if p := recover(); p != nil {
					d = deferred.Fail(deferred.NewFailureFromPanic(p))
				}
			}()
			d = f()
		}()
		if d == nil {
			results <- result{}
			return
		}
		d.AddCallbacks(func(v any) (any, error) {
			results <- result{value: v}
			return v, nil
		}, func(f *deferred.Failure) (any, error) {
			// Handed over to the waiting goroutine, so handled here.
			results <- result{err: f}
			return nil, nil
		})
	})
	if err != nil {
		return nil, err
	}
	select {
	case res := <-results:
		return res.value, res.err
	case <-r.Done():
		select {
		case res := <-results:
			return res.value, res.err
		default:
			return nil, ErrReactorStopped
		}
	}
}
