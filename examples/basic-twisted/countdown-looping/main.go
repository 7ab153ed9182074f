// Command countdown-looping is countdown with a task.LoopingCall instead of
// a chain of CallLater calls: the LoopingCall calls count every second, count
// stops it at zero, and the Deferred that Start returned fires, which stops
// the reactor. The output is countdown's.
//
// It is the tutorial's second exercise of part 3 ("rewrite the countdown
// program using LoopingCall"). Run it with:
//
//	go run ./examples/basic-twisted/countdown-looping
package main

import (
	"fmt"
	"os"
	"time"

	"gyre/reactor"
	"gyre/task"
)

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "countdown-looping:", err)
		os.Exit(1)
	}
	counter := 5
	var loop *task.LoopingCall
	count := func() error {
		if counter == 0 {
			return loop.Stop()
		}
		fmt.Println(counter, "...")
		counter--
		return nil
	}
	loop = task.NewLoopingCall(r, count)
	r.CallWhenRunning(func() {
		loop.Start(time.Second, true).AddBoth(func(result any) (any, error) {
			r.Stop()
			return result, nil
		})
	})
	fmt.Println("Start!")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "countdown-looping:", err)
		os.Exit(1)
	}
	fmt.Println("Stop!")
}
