package reactor_test

import (
	"fmt"
	"time"

	"gyre/reactor"
	"gyre/task"
)

// A tick that sets its own timer again: Rearm reuses the DelayedCall that
// has just run, where a new CallLater would allocate one per tick. The
// clock here is a task.Clock, so the example runs instantly; on a
// reactor it is the same code.
func ExampleDelayedCall_Rearm() {
	var clock reactor.Clock = task.NewClock()
	ticks := 0
	var call *reactor.DelayedCall
	var tick func()
	tick = func() {
		ticks++
		fmt.Printf("tick %d at %v\n", ticks, clock.Now().Sub(time.Unix(0, 0)))
		if ticks < 3 {
			call.Rearm(time.Second, tick)
		}
	}
	call = clock.CallLater(time.Second, tick)
	clock.(*task.Clock).Pump(time.Second, time.Second, time.Second, time.Second)
	fmt.Println("active after the last tick:", call.Active())
	// Output:
	// tick 1 at 1s
	// tick 2 at 2s
	// tick 3 at 3s
	// active after the last tick: false
}
