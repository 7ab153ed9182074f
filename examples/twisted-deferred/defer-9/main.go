// Command defer-9 is defer-8 with the reactor stopped by a last AddBoth
// stage, which runs whether the poem arrived or not.
//
// The tutorial's twisted-deferred/defer-9.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-9
package main

import (
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
		fmt.Fprintln(os.Stderr, "defer-9:", err)
		os.Exit(1)
	}

	poemDone := func(any) (any, error) {
		_ = r.Stop()
		return nil, nil
	}

	d := deferred.New()
	d.AddCallbacks(gotPoem, poemFailed)
	d.AddBoth(poemDone)

	r.CallWhenRunning(func() { _ = d.Callback("Another short poem.") })

	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "defer-9:", err)
		os.Exit(1)
	}
}
