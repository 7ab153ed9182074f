// Command defer-8 fires a Deferred from inside the running reactor; its
// callback prints the poem and stops the reactor.
//
// The tutorial's twisted-deferred/defer-8.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-8
package main

import (
	"fmt"
	"os"

	"gyre/deferred"
	"gyre/reactor"
)

func main() {
	r, err := reactor.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "defer-8:", err)
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

	r.CallWhenRunning(func() { _ = d.Callback("Another short poem.") })

	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "defer-8:", err)
		os.Exit(1)
	}
}
