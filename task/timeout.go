package task

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// ErrTimeout is matched (errors.Is) by every *TimeoutError.
var ErrTimeout = errors.New("task: timed out")

// TimeoutError is the failure of a Deferred that AddTimeout cancelled
// because it had not fired in time. It matches ErrTimeout and, as Go code
// expects of a deadline that passed, context.DeadlineExceeded.
type TimeoutError struct {
	After time.Duration // how long it waited
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("task: timed out after %v waiting for the Deferred", e.After)
}

// Is matches ErrTimeout and context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded
}

// AddTimeout cancels d if it has not fired after the given time on clock
// (Twisted's Deferred.addTimeout), and returns d. If the cancellation makes
// d fail with deferred.ErrCancelled (as it does unless d's canceller fires
// it otherwise), the failure becomes a *TimeoutError saying how long it
// waited. If d fires in time, the timer is cancelled. AddTimeout adds one
// stage to d's chain, where the chain stands now: stages added later see
// the TimeoutError. A timeout of zero or less cancels d on the clock's next
// turn.
//
// On a reactor the clock is the reactor itself; in tests, a *Clock moves
// time by hand.
func AddTimeout(clock reactor.Clock, d *deferred.Deferred, timeout time.Duration) *deferred.Deferred {
	timedOut := false
	call := clock.CallLater(timeout, func() {
		timedOut = true
		d.Cancel()
	})
	d.AddBoth(func(v any) (any, error) {
		if call.Active() {
			_ = call.Cancel()
		}
		if f, failed := v.(*deferred.Failure); failed && timedOut && errors.Is(f, deferred.ErrCancelled) {
			return nil, &TimeoutError{After: timeout}
		}
		return v, nil
	})
	return d
}
