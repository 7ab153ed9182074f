package deferred_test

import (
	"errors"
	"fmt"
	"strings"

	"gyre/deferred"
)

// A body written top to bottom: each Await suspends it until the Deferred
// has fired. Here the Deferreds are fired by hand, as a reactor would fire
// them when the data arrives.
func ExampleInline() {
	title, body := deferred.New(), deferred.New()
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		t, err := deferred.Await[string](co, title)
		if err != nil {
			return "", err
		}
		fmt.Println("got the title, waiting for the body")
		b, err := deferred.Await[string](co, body)
		if err != nil {
			return "", fmt.Errorf("no body for %q: %w", t, err)
		}
		return strings.ToUpper(t) + ": " + b, nil
	})
	d.AddCallback(func(v any) (any, error) {
		fmt.Println(v)
		return nil, nil
	})
	fmt.Println("Inline returned; the body waits")
	_ = title.Callback("ode")
	_ = body.Callback("to a Deferred")
	// Output:
	// Inline returned; the body waits
	// got the title, waiting for the body
	// ODE: to a Deferred
}

// An awaited Failure comes back as an error that errors.Is matches; an
// error the body returns fails the Inline's Deferred.
func ExampleCoroutine_Await() {
	errNoServer := errors.New("no server")
	d := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, err := co.Await(deferred.Fail(errNoServer))
		if errors.Is(err, errNoServer) {
			return "fell back to the built-in poem", nil
		}
		return nil, err
	})
	d.AddCallback(func(v any) (any, error) {
		fmt.Println(v)
		return nil, nil
	})
	// Output: fell back to the built-in poem
}

// Then is a typed callback step; Handle receives the typed outcome.
func ExampleThen() {
	d := deferred.New()
	deferred.Then(d, func(poem string) (int, error) {
		return strings.Count(poem, "\n"), nil
	}).Handle(func(lines int, err error) {
		fmt.Println(lines, "lines", err)
	})
	_ = d.Callback("one\ntwo\nthree\n")
	// Output: 3 lines <nil>
}

// GatherOf gives the results as a []string, in input order.
func ExampleGatherOf() {
	a, b := deferred.New(), deferred.New()
	deferred.GatherOf[string](a, b).Handle(func(poems []string, err error) {
		fmt.Printf("%q %v\n", poems, err)
	})
	_ = b.Callback("second")
	_ = a.Callback("first")
	// Output: ["first" "second"] <nil>
}
