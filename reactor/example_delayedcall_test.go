package reactor_test

import (
	"errors"
	"fmt"
	"time"

	"gyre/reactor"
	"gyre/task"
)

// The life of a DelayedCall: moved while pending (Reset sets it d from
// now, Delay pushes it d further), then run or cancelled, after which it
// can no longer be moved or cancelled. A reactor's CallLater returns the
// same type; here a task.Clock stands in for the reactor so that time
// passes only when told to.
func ExampleDelayedCall() {
	clock := task.NewClock()
	start := clock.Now()
	at := func(c *reactor.DelayedCall) time.Duration { return c.Time().Sub(start) }

	call := clock.CallLater(10*time.Second, func() {
		fmt.Println("ran at", clock.Now().Sub(start))
	})
	call.Reset(3 * time.Second) // due 3s from now
	call.Delay(2 * time.Second) // and 2s later than that
	fmt.Println("due at", at(call), "active:", call.Active())

	clock.Advance(5 * time.Second)
	fmt.Println("called:", call.Called(), "active:", call.Active())
	fmt.Println("cancel after it ran:", errors.Is(call.Cancel(), reactor.ErrAlreadyCalled))

	other := clock.CallLater(time.Second, func() { fmt.Println("never printed") })
	other.Cancel()
	fmt.Println("cancelled:", other.Cancelled())
	fmt.Println("reset after cancel:", errors.Is(other.Reset(time.Second), reactor.ErrAlreadyCancelled))
	clock.Advance(time.Minute)
	// Output:
	// due at 5s active: true
	// ran at 5s
	// called: true active: false
	// cancel after it ran: true
	// cancelled: true
	// reset after cancel: true
}
