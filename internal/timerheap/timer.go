package timerheap

import (
	"errors"
	"time"
)

// The errors of a Timer that has run or was cancelled. Package reactor
// exports them (reactor.ErrAlreadyCalled, reactor.ErrAlreadyCancelled):
// their messages name the reactor, whose DelayedCall users see.
var (
	ErrAlreadyCalled    = errors.New("reactor: delayed call already called")
	ErrAlreadyCancelled = errors.New("reactor: delayed call already cancelled")
)

type callState uint8

const (
	callPending callState = iota
	callCalled
	callCancelled
)

// Timer is a function scheduled to run later, returned by CallLater. It
// can be cancelled or moved while it is pending; once it has run or been
// cancelled those methods return ErrAlreadyCalled or ErrAlreadyCancelled.
//
// Its fields are unexported on purpose: reactor.DelayedCall is defined as
// a Timer (type DelayedCall timerheap.Timer), so a *DelayedCall and a
// *Timer convert into each other for free, and users of the reactor see
// DelayedCall's methods and nothing of the heap.
//
// A Timer belongs to the goroutine that runs its clock.
type Timer struct {
	q     *Queue
	f     func()
	at    int64
	index int32 // position in q.heap, -1 when not queued
	state callState
}

// Active reports whether the call is still pending: not yet run and not
// cancelled.
func (c *Timer) Active() bool { return c.state == callPending }

// Called reports whether the call has run (or is running).
func (c *Timer) Called() bool { return c.state == callCalled }

// Cancelled reports whether the call was cancelled.
func (c *Timer) Cancelled() bool { return c.state == callCancelled }

// Time returns when the call is (or was) due.
func (c *Timer) Time() time.Time {
	return c.q.base.Add(time.Duration(c.at))
}

func (c *Timer) check() error {
	switch c.state {
	case callCalled:
		return ErrAlreadyCalled
	case callCancelled:
		return ErrAlreadyCancelled
	}
	return nil
}

// Cancel stops the call from running and removes it from its queue.
func (c *Timer) Cancel() error {
	if err := c.check(); err != nil {
		return err
	}
	c.q.removeAt(int(c.index))
	c.state = callCancelled
	c.f = nil
	return nil
}

// Reset reschedules the call to run d from now (a negative d counts as 0).
func (c *Timer) Reset(d time.Duration) error {
	if err := c.check(); err != nil {
		return err
	}
	if d < 0 {
		d = 0
	}
	c.q.reschedule(c, later(c.q.NowOffset(), d))
	return nil
}

// Rearm schedules f to run d from now (a negative d counts as 0) as this
// same Timer, whether it has run or is still pending (it is then moved,
// and f replaces its function): a callback that sets its own timer again,
// a tick, allocates nothing. A cancelled Timer stays cancelled:
// ErrAlreadyCancelled.
func (c *Timer) Rearm(d time.Duration, f func()) error {
	if c.state == callCancelled {
		return ErrAlreadyCancelled
	}
	if d < 0 {
		d = 0
	}
	c.f = f
	at := later(c.q.NowOffset(), d)
	if c.state == callPending {
		c.q.reschedule(c, at)
		return nil
	}
	c.state = callPending
	c.q.push(c, at)
	return nil
}

// Delay pushes the call d later than it was due (earlier if d is negative).
func (c *Timer) Delay(d time.Duration) error {
	if err := c.check(); err != nil {
		return err
	}
	c.q.reschedule(c, later(c.at, d))
	return nil
}
