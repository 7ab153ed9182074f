package loopcount_test

import (
	"fmt"
	"strings"

	"gyre/internal/loopcount"
)

func ExampleResolve() {
	if _, err := loopcount.Resolve(5000, 1); err != nil {
		msg, _, _ := strings.Cut(err.Error(), " (") // the rest names this machine's CPUs
		fmt.Println(msg)
	}
	n, _ := loopcount.Resolve(2, 1)
	fmt.Println(n, "loops")
	// Output:
	// --loops 5000: at most 1024
	// 2 loops
}
