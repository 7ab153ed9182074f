package reactor

import "time"

type callState uint8

const (
	callPending callState = iota
	callCalled
	callCancelled
)

// DelayedCall is a function scheduled to run later, returned by CallLater
// (Twisted's IDelayedCall). It can be cancelled or moved while it is
// pending; once it has run or been cancelled those methods return
// ErrAlreadyCalled or ErrAlreadyCancelled.
//
// A DelayedCall belongs to the goroutine that runs its clock.
type DelayedCall struct {
	q     *TimerQueue
	f     func()
	at    int64
	index int32 // position in q.heap, -1 when not queued
	state callState
}

// Active reports whether the call is still pending: not yet run and not
// cancelled.
func (c *DelayedCall) Active() bool { return c.state == callPending }

// Called reports whether the call has run (or is running).
func (c *DelayedCall) Called() bool { return c.state == callCalled }

// Cancelled reports whether the call was cancelled.
func (c *DelayedCall) Cancelled() bool { return c.state == callCancelled }

// Time returns when the call is (or was) due.
func (c *DelayedCall) Time() time.Time {
	return c.q.base.Add(time.Duration(c.at))
}

func (c *DelayedCall) check() error {
	switch c.state {
	case callCalled:
		return ErrAlreadyCalled
	case callCancelled:
		return ErrAlreadyCancelled
	}
	return nil
}

// Cancel stops the call from running and removes it from its queue.
func (c *DelayedCall) Cancel() error {
	if err := c.check(); err != nil {
		return err
	}
	c.q.removeAt(int(c.index))
	c.state = callCancelled
	c.f = nil
	return nil
}

// Reset reschedules the call to run d from now (a negative d counts as 0).
func (c *DelayedCall) Reset(d time.Duration) error {
	if err := c.check(); err != nil {
		return err
	}
	if d < 0 {
		d = 0
	}
	c.q.reschedule(c, later(c.q.nowOffset(), d))
	return nil
}

// Delay pushes the call d later than it was due (earlier if d is negative).
func (c *DelayedCall) Delay(d time.Duration) error {
	if err := c.check(); err != nil {
		return err
	}
	c.q.reschedule(c, later(c.at, d))
	return nil
}
