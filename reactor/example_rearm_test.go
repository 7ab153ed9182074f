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

// Reschedule is the whole pattern in one call: the first time it makes the
// DelayedCall, later it rearms the same one. Here a flush that the first
// record of each batch asks for, 200 ms on.
func ExampleReschedule() {
	clock := task.NewClock()
	var flushTimer *reactor.DelayedCall
	flush := func() { fmt.Println("flush at", clock.Now().Sub(time.Unix(0, 0))) }
	record := func() {
		if flushTimer == nil || !flushTimer.Active() {
			reactor.Reschedule(clock, &flushTimer, 200*time.Millisecond, flush)
		}
	}
	record()
	record() // the flush already coming serves this one too
	clock.Advance(200 * time.Millisecond)
	first := flushTimer
	clock.Advance(300 * time.Millisecond)
	record()
	clock.Advance(200 * time.Millisecond)
	fmt.Println("the same DelayedCall both times:", flushTimer == first)
	// Output:
	// flush at 200ms
	// flush at 700ms
	// the same DelayedCall both times: true
}
