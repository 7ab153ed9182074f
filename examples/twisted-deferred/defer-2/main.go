// Command defer-2 fires a Deferred with a Failure: the errback of its one
// callback/errback pair runs at once, inside Errback.
//
// The tutorial's twisted-deferred/defer-2.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-2
package main

import (
	"errors"
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

	// fire the chain with an error result
	//lint:ignore ST1005 the tutorial's message, printed as it is
	_ = d.Errback(deferred.NewFailure(errors.New("I have failed.")))

	fmt.Println("Finished")
}
