package deferred_test

import (
	"errors"
	"fmt"
	"strings"

	"gyre/deferred"
)

// Typed promises a type for a Deferred's result without checking
// anything yet: the check comes when the result does, and a result of
// another type fails with a *ResultTypeError instead of a panic.
func ExampleTyped() {
	title := deferred.New()
	deferred.Typed[string](title).Handle(func(v string, err error) {
		fmt.Printf("%q %v\n", v, err)
	})
	_ = title.Callback("Ode to the Loop")

	count := deferred.New()
	deferred.Typed[string](count).Handle(func(v string, err error) {
		var rte *deferred.ResultTypeError
		fmt.Printf("%q %v %v\n", v, err, errors.As(err, &rte))
	})
	_ = count.Callback(42)
	// Output:
	// "Ode to the Loop" <nil>
	// "" deferred: result is int, not string true
}

// countWords is a typed entry point: its callers know what it gives.
func countWords(text *deferred.Deferred) deferred.Future[int] {
	return deferred.Then(text, func(s string) (int, error) {
		return len(strings.Fields(s)), nil
	})
}

// A Future is a view on a Deferred, and its result is had once: the
// first Await takes it over, and the chain goes on with nil, so a second
// Await of the same Future fails.
func ExampleFuture() {
	text := deferred.New()
	words := countWords(text)
	deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		n, err := words.Await(co)
		fmt.Println(n, err)
		_, err = words.Await(co)
		fmt.Println(err)
		return nil, nil
	})
	fmt.Println("same Deferred:", words.Deferred() == text)
	_ = text.Callback("a loop that never sleeps")
	// Output:
	// same Deferred: true
	// 5 <nil>
	// deferred: result is nil, not int
}

// GatherFutures waits for Futures of one type and gives their results as
// a slice, in input order whatever the order they fire in; the first
// input to fail fails it with a *FirstError saying which.
func ExampleGatherFutures() {
	a, b := deferred.New(), deferred.New()
	deferred.GatherFutures(countWords(a), countWords(b)).Handle(func(counts []int, err error) {
		fmt.Println(counts, err)
	})
	_ = b.Callback("three little words")
	_ = a.Callback("two words")

	c, d := deferred.New(), deferred.New()
	deferred.GatherFutures(countWords(c), countWords(d)).Handle(func(counts []int, err error) {
		var first *deferred.FirstError
		if errors.As(err, &first) {
			fmt.Println(counts, "input", first.Index, "failed:", first.Failure.Error())
		}
	})
	_ = d.Errback(errors.New("no poem"))
	_ = c.Callback("never counted in")
	// Output:
	// [2 3] <nil>
	// [] input 1 failed: no poem
}

// As converts one result of the untyped core: the value if it is a T, the
// zero T for nil where a T can be nil, else a *ResultTypeError.
func ExampleAs() {
	s, err := deferred.As[string]("a poem")
	fmt.Printf("%q %v\n", s, err)
	e, err := deferred.As[error](nil)
	fmt.Println(e, err)
	n, err := deferred.As[int]("a poem")
	fmt.Println(n, err)
	// Output:
	// "a poem" <nil>
	// <nil> <nil>
	// 0 deferred: result is string, not int
}
