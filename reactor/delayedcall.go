package reactor

import (
	"time"

	"gyre/internal/timerheap"
)

// DelayedCall is a function scheduled to run later, returned by CallLater
// (Twisted's IDelayedCall). It can be cancelled or moved while it is
// pending; once it has run or been cancelled those methods return
// ErrAlreadyCalled or ErrAlreadyCancelled.
//
// A DelayedCall belongs to the goroutine that runs its clock (the
// reactor's loop, or the test that advances a task.Clock).
type DelayedCall timerheap.Timer

func (c *DelayedCall) timer() *timerheap.Timer { return (*timerheap.Timer)(c) }

// Active reports whether the call is still pending: not yet run and not
// cancelled.
func (c *DelayedCall) Active() bool { return c.timer().Active() }

// Called reports whether the call has run (or is running).
func (c *DelayedCall) Called() bool { return c.timer().Called() }

// Cancelled reports whether the call was cancelled.
func (c *DelayedCall) Cancelled() bool { return c.timer().Cancelled() }

// Time returns when the call is (or was) due.
func (c *DelayedCall) Time() time.Time { return c.timer().Time() }

// Cancel stops the call from running and removes it from its queue.
func (c *DelayedCall) Cancel() error { return c.timer().Cancel() }

// Reset reschedules the call to run d from now (a negative d counts as 0).
func (c *DelayedCall) Reset(d time.Duration) error { return c.timer().Reset(d) }

// Delay pushes the call d later than it was due (earlier if d is negative).
func (c *DelayedCall) Delay(d time.Duration) error { return c.timer().Delay(d) }

// Rearm schedules f to run d from now (a negative d counts as 0) as this
// same DelayedCall, whether it has run or is still pending (it is then
// moved, and f replaces its function). A callback that sets its own timer
// again (a tick, a periodic probe) reuses it this way instead of asking
// CallLater for a new one each time, and so allocates nothing. A cancelled
// call stays cancelled: ErrAlreadyCancelled. Twisted has no equivalent (a
// DelayedCall that has run cannot be reset there); Go's time.Timer.Reset
// is the model.
func (c *DelayedCall) Rearm(d time.Duration, f func()) error { return c.timer().Rearm(d, f) }

// Reschedule sets *dc to run f d from now: the DelayedCall already there,
// rearmed (moved, if still pending), or a new one from clock when there is
// none or it was cancelled. A callback that sets its own timer again each
// time (a tick, a periodic flush) allocates nothing this way.
func Reschedule(clock Clock, dc **DelayedCall, d time.Duration, f func()) {
	if *dc == nil || (*dc).Rearm(d, f) != nil {
		*dc = clock.CallLater(d, f)
	}
}
