// Command defer-9-exercise-1 answers the first exercise of part 7 of Dave
// Peticolas's Twisted tutorial: in defer-9, print what the last stage,
// poemDone, receives, then see what changes when gotPoem returns a value.
//
//	go run ./examples/twisted-deferred/defer-9-exercise-1
//
// It builds defer-9's chain twice, fired one after the other from the
// running reactor:
//
//	Another short poem.
//	poemDone received: <nil>
//	Another short poem.
//	poemDone received: Another short poem.
//
// Each stage of a Deferred's chain is handed what the stage before it
// returned. defer-9's gotPoem prints the poem and returns nothing (nil, the
// Go for Python's None), so nil is what poemDone gets. The second chain's
// gotPoem returns the poem it printed, and poemDone gets the poem: a stage
// that has nothing to add passes its input on by returning it. The second
// poemDone stops the reactor.
package main

import (
	"fmt"
	"os"

	"gyre/deferred"
	"gyre/reactor"
)

// gotPoem is defer-9's: it prints the poem and returns nothing.
func gotPoem(poem any) (any, error) {
	fmt.Println(poem)
	return nil, nil
}

// gotPoemAndPassIt prints the poem too, and returns it.
func gotPoemAndPassIt(poem any) (any, error) {
	fmt.Println(poem)
	return poem, nil
}

func poemFailed(err *deferred.Failure) (any, error) {
	fmt.Fprintln(os.Stderr, "poem download failed")
	fmt.Fprintln(os.Stderr, "I am terribly sorry")
	fmt.Fprintln(os.Stderr, "try again later?")
	return nil, nil
}

func main() {
	r, err := reactor.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "defer-9-exercise-1:", err)
		os.Exit(1)
	}

	// poemDone prints what it was handed; the last one stops the reactor.
	poemDone := func(last bool) func(any) (any, error) {
		return func(result any) (any, error) {
			fmt.Println("poemDone received:", result)
			if last {
				_ = r.Stop()
			}
			return nil, nil
		}
	}

	first := deferred.New()
	first.AddCallbacks(gotPoem, poemFailed)
	first.AddBoth(poemDone(false))

	second := deferred.New()
	second.AddCallbacks(gotPoemAndPassIt, poemFailed)
	second.AddBoth(poemDone(true))

	r.CallWhenRunning(func() {
		_ = first.Callback("Another short poem.")
		_ = second.Callback("Another short poem.")
	})

	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "defer-9-exercise-1:", err)
		os.Exit(1)
	}
}
