// Command defer-1 fires a Deferred with a result: the callback of its one
// callback/errback pair runs at once, inside Callback, before "Finished".
//
// The tutorial's twisted-deferred/defer-1.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-1
package main

import (
	"fmt"

	"gyre/deferred"
)

func gotPoem(res any) (any, error) {
	fmt.Println("Your poem is served:")
	fmt.Println(res)
	return nil, nil
}

func poemFailed(err *deferred.Failure) (any, error) {
	fmt.Println("No poetry for you.")
	return nil, nil
}

func main() {
	d := deferred.New()

	// add a callback/errback pair to the chain
	d.AddCallbacks(gotPoem, poemFailed)

	// fire the chain with a normal result
	_ = d.Callback("This poem is short.")

	fmt.Println("Finished")
}
