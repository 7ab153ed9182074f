package task_test

import (
	"errors"
	"fmt"
	"time"

	"gyre/deferred"
	"gyre/task"
)

// A countdown with a LoopingCall, driven by a fake Clock: no sleeping.
func ExampleLoopingCall() {
	clock := task.NewClock()
	counter := 3
	var lc *task.LoopingCall
	lc = task.NewLoopingCall(clock, func() error {
		if counter == 0 {
			return lc.Stop()
		}
		fmt.Println(counter, "...")
		counter--
		return nil
	})
	lc.Start(time.Second, true).AddCallback(func(any) (any, error) {
		fmt.Println("Stop!")
		return nil, nil
	})
	clock.Pump(time.Second, time.Second, time.Second)
	// Output:
	// 3 ...
	// 2 ...
	// 1 ...
	// Stop!
}

// The count variant learns how many intervals passed when the loop fell
// behind.
func ExampleNewLoopingCallWithCount() {
	clock := task.NewClock()
	lc := task.NewLoopingCallWithCount(clock, func(count int) error {
		fmt.Println("intervals:", count)
		return nil
	})
	lc.Start(time.Second, false)
	clock.Advance(time.Second)
	clock.Advance(3 * time.Second) // as if the reactor had been blocked
	lc.Stop()
	// Output:
	// intervals: 1
	// intervals: 3
}

// A poll whose every call is asynchronous work (here 300 ms of it): the
// loop waits for each call's Deferred before it schedules the next, and
// the first one that fails stops the loop, whose own Deferred fails with
// that failure (it is the loop's to report, not the call's: nothing is
// logged as unhandled).
func ExampleNewLoopingCallDeferred() {
	clock := task.NewClock()
	start := clock.Now()
	polls := 0
	lc := task.NewLoopingCallDeferred(clock, func() *deferred.Deferred {
		polls++
		n := polls
		fmt.Printf("%v: poll %d\n", clock.Now().Sub(start), n)
		return task.DeferLater(clock, 300*time.Millisecond, func() (any, error) {
			if n == 3 {
				return nil, errors.New("the server has gone")
			}
			fmt.Printf("%v: poll %d answered\n", clock.Now().Sub(start), n)
			return nil, nil
		})
	})
	lc.Start(time.Second, true).AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Printf("%v: loop stopped: %v\n", clock.Now().Sub(start), f.Error())
		return nil, nil
	})
	for range 40 {
		clock.Advance(100 * time.Millisecond)
	}
	fmt.Println("running:", lc.Running())
	// Output:
	// 0s: poll 1
	// 300ms: poll 1 answered
	// 1s: poll 2
	// 1.3s: poll 2 answered
	// 2s: poll 3
	// 2.3s: loop stopped: the server has gone
	// running: false
}

// A function that returns a Deferred: the loop waits for it before the
// next call, which comes at the first interval boundary after it fired.
// Here each call's work takes 1.5 s (a DeferLater), so with a 1 s interval
// the calls come every 2 s, and the count says two intervals went by.
func ExampleNewLoopingCallDeferredWithCount() {
	clock := task.NewClock()
	start := clock.Now()
	var lc *task.LoopingCall
	lc = task.NewLoopingCallDeferredWithCount(clock, func(count int) *deferred.Deferred {
		fmt.Printf("%v: fetching (intervals: %d)\n", clock.Now().Sub(start), count)
		return task.DeferLater(clock, 1500*time.Millisecond, func() (any, error) {
			fmt.Printf("%v: fetched\n", clock.Now().Sub(start))
			if clock.Now().Sub(start) > 5*time.Second {
				lc.Stop() // the loop's Deferred fires once this one has
			}
			return nil, nil
		})
	})
	lc.Start(time.Second, true).AddCallback(func(any) (any, error) {
		fmt.Println("stopped")
		return nil, nil
	})
	for range 16 {
		clock.Advance(500 * time.Millisecond)
	}
	// Output:
	// 0s: fetching (intervals: 1)
	// 1.5s: fetched
	// 2s: fetching (intervals: 2)
	// 3.5s: fetched
	// 4s: fetching (intervals: 2)
	// 5.5s: fetched
	// stopped
}

func ExampleDeferLater() {
	clock := task.NewClock()
	d := task.DeferLater(clock, 2*time.Second, func() (any, error) {
		return "a poem, two seconds late", nil
	})
	d.AddCallback(func(v any) (any, error) {
		fmt.Println(v)
		return nil, nil
	})
	clock.Advance(2 * time.Second)
	// Output:
	// a poem, two seconds late
}

func ExampleClock() {
	clock := task.NewClock()
	start := clock.Now()
	clock.CallLater(90*time.Second, func() {
		fmt.Println("ran at", clock.Now().Sub(start))
	})
	fmt.Println(len(clock.Pending()), "pending")
	clock.Advance(time.Minute)
	clock.Advance(time.Minute)
	fmt.Println(len(clock.Pending()), "pending")
	// Output:
	// 1 pending
	// ran at 2m0s
	// 0 pending
}

// AddTimeout on a fake clock: the Deferred never fires, so after two
// seconds it is cancelled and fails with how long it waited.
func ExampleAddTimeout() {
	clock := task.NewClock()
	d := task.AddTimeout(clock, deferred.New(), 2*time.Second)
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println(f)
		return nil, nil
	})
	clock.Advance(2 * time.Second)
	// Output: task: timed out after 2s waiting for the Deferred
}
