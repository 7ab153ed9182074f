// Command defer-9-exercise-2 answers the second exercise of part 7 of
// Dave Peticolas's Twisted tutorial: fire defer-9's Deferred with an error,
// down its errback chain, instead of with a poem.
//
//	go run ./examples/twisted-deferred/defer-9-exercise-2
//
// The running reactor calls d.Errback with an error; the Deferred wraps it
// in a *deferred.Failure and hands it to the errback of the first stage,
// poemFailed, which apologises on stderr,
//
//	poem download failed
//	I am terribly sorry
//	try again later?
//
// and returns nothing, which turns the chain back to success: the last
// stage, poemDone, added with AddBoth, runs either way and stops the
// reactor. The program exits with status 0: the failure was handled.
package main

import (
	"errors"
	"fmt"
	"os"

	"gyre/deferred"
	"gyre/reactor"
)

func gotPoem(poem any) (any, error) {
	fmt.Println(poem)
	return nil, nil
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
		fmt.Fprintln(os.Stderr, "defer-9-exercise-2:", err)
		os.Exit(1)
	}

	poemDone := func(any) (any, error) {
		_ = r.Stop()
		return nil, nil
	}

	d := deferred.New()
	d.AddCallbacks(gotPoem, poemFailed)
	d.AddBoth(poemDone)

	r.CallWhenRunning(func() { _ = d.Errback(errors.New("the poetry server has gone")) })

	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "defer-9-exercise-2:", err)
		os.Exit(1)
	}
}
