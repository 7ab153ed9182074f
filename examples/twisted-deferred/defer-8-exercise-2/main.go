// Command defer-8-exercise-2 answers the second exercise of part 7 of
// Dave Peticolas's Twisted tutorial: fire defer-8's Deferred with an error,
// down its errback chain, instead of with a poem.
//
//	go run ./examples/twisted-deferred/defer-8-exercise-2
//
// The running reactor calls d.Errback with an error; the Deferred wraps it
// in a *deferred.Failure and hands it to the errback of the first stage,
// poemFailed, which apologises on stderr,
//
//	poem download failed
//	I am terribly sorry
//	try again later?
//
// and stops the reactor itself, as gotPoem would have on success. The
// program exits with status 0: the failure was handled.
package main

import (
	"errors"
	"fmt"
	"os"

	"gyre/deferred"
	"gyre/reactor"
)

func main() {
	r, err := reactor.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "defer-8-exercise-2:", err)
		os.Exit(1)
	}

	gotPoem := func(poem any) (any, error) {
		fmt.Println(poem)
		_ = r.Stop()
		return nil, nil
	}

	poemFailed := func(err *deferred.Failure) (any, error) {
		fmt.Fprintln(os.Stderr, "poem download failed")
		fmt.Fprintln(os.Stderr, "I am terribly sorry")
		fmt.Fprintln(os.Stderr, "try again later?")
		_ = r.Stop()
		return nil, nil
	}

	d := deferred.New()
	d.AddCallbacks(gotPoem, poemFailed)

	r.CallWhenRunning(func() { _ = d.Errback(errors.New("the poetry server has gone")) })

	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "defer-8-exercise-2:", err)
		os.Exit(1)
	}
}
