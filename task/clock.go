package task

import (
	"time"

	"gyre/internal/timerheap"
	"gyre/reactor"
)

// Clock is a reactor.Clock for tests: its time starts at the Unix epoch and
// moves only when Advance (or Pump) moves it, and Advance runs the calls
// that have come due. It is Twisted's task.Clock. The zero value is ready to
// use.
type Clock struct {
	now    time.Time
	queue  *timerheap.Queue
	inited bool
}

var _ reactor.Clock = (*Clock)(nil)

// NewClock returns a Clock at the Unix epoch.
func NewClock() *Clock {
	c := &Clock{}
	c.init()
	return c
}

func (c *Clock) init() {
	if c.inited {
		return
	}
	c.inited = true
	c.now = time.Unix(0, 0).UTC()
	c.queue = timerheap.New(c.Now)
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.init()
	return c.now
}

// CallLater schedules f to run once the clock has been advanced by d
// (a negative d counts as 0).
func (c *Clock) CallLater(d time.Duration, f func()) *reactor.DelayedCall {
	c.init()
	return (*reactor.DelayedCall)(c.queue.CallLater(d, f))
}

// Advance moves the clock forward by d and runs every call due by the new
// time, earliest first (equal times in the order they were scheduled),
// including calls that those calls schedule for no later than the new time.
// All of them see Now() as the new time, as with Twisted's Clock.advance.
// A panic in a call reaches the caller of Advance; the clock stays usable.
//
// Like Twisted's, it does not return while something keeps rescheduling
// itself with no delay (a LoopingCall with a zero interval, for example).
// Time on the clock's scale ends about 292 years after its start: a call
// due later than that never runs, so advancing that far returns.
// Advance panics if d is negative: time does not go back.
func (c *Clock) Advance(d time.Duration) {
	c.init()
	if d < 0 {
		panic("task: Clock.Advance with a negative duration")
	}
	c.now = c.now.Add(d)
	for c.queue.RunDue(c.now, nil) > 0 {
	}
}

// Pump advances the clock by each duration in turn (Twisted's Clock.pump),
// which runs calls at the times they come due when the steps are small.
func (c *Clock) Pump(steps ...time.Duration) {
	for _, d := range steps {
		c.Advance(d)
	}
}

// Pending returns the calls not yet run, earliest first (Twisted's
// getDelayedCalls).
func (c *Clock) Pending() []*reactor.DelayedCall {
	c.init()
	timers := c.queue.Pending()
	calls := make([]*reactor.DelayedCall, len(timers))
	for i, t := range timers {
		calls[i] = (*reactor.DelayedCall)(t)
	}
	return calls
}
