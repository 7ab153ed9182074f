package reconnect_test

import (
	"fmt"
	"time"

	"gyre/protocols/reconnect"
)

// The retry schedule: each delay e times the last, capped, here without
// jitter to print it.
func ExampleBackoff() {
	b := reconnect.Backoff{InitialDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second, Jitter: -1}
	for n := 1; n <= 5; n++ {
		fmt.Println(b.Delay(n).Round(time.Millisecond))
	}
	// Output:
	// 100ms
	// 272ms
	// 739ms
	// 2s
	// 2s
}
