package reactor_test

import (
	"fmt"
	"log"
	"time"

	"gyre/reactor"
)

// PendingCalls lists what is scheduled, earliest first: what a test checks
// to see that a protocol left no timer behind, or what a debugging hook
// prints. A call that has run or was cancelled is no longer listed.
func ExampleReactor_PendingCalls() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close() // the reactor is not run here: Close releases its ports
	start := r.Now()
	r.CallLater(time.Hour, func() {})
	retry := r.CallLater(time.Minute, func() {})
	r.CallLater(2*time.Hour, func() {})
	retry.Cancel()
	for _, c := range r.PendingCalls() {
		fmt.Println("due in", c.Time().Sub(start).Round(time.Minute))
	}
	// Output:
	// due in 1h0m0s
	// due in 2h0m0s
}
