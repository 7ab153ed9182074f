// Command failure-examples prints two Failures, the way the tutorial prints
// them: one made from an error value, which has no frames, and one made from
// a panic that was caught, which records where it came from.
//
// The tutorial's twisted-failure/failure-examples.py. Run it with:
//
//	go run ./examples/twisted-failure/failure-examples
package main

import (
	"fmt"

	"gyre/deferred"
)

// Generally, gyre makes Failures for us: a Deferred wraps the error a
// callback returns, or the panic it raises. Here we make them by hand.

type RhymeSchemeViolation struct{}

func (RhymeSchemeViolation) Error() string { return "" }

func analyzePoem(poem string) {
	panic(RhymeSchemeViolation{})
}

func main() {
	fmt.Println("Just making an exception:")
	fmt.Println()

	e := RhymeSchemeViolation{}

	failure := deferred.NewFailure(e)

	// Note this failure doesn't include any traceback info
	fmt.Printf("%+v\n", failure)

	fmt.Println()
	fmt.Println()

	fmt.Println("Catching an exception:")
	fmt.Println()

	func() {
		defer func() {
			if r := recover(); r != nil {
				failure = deferred.NewFailureFromPanic(r)
			}
		}()
		analyzePoem(`Roses are red.
Violets are violet.
That's why they're called Violets.
Duh.
`)
	}()

	// This failure saved both the error and the frames it went through
	fmt.Printf("%+v\n", failure)
}
