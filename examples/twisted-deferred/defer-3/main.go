// Command defer-3 fires a Deferred with a plain error: the errback receives
// it wrapped in a *deferred.Failure, which it prints with %+v (the form
// Python's str(failure) has in the tutorial).
//
// The tutorial's twisted-deferred/defer-3.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-3
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
	fmt.Printf("%T\n", err)
	fmt.Printf("%+v\n", err)
	fmt.Println("No poetry for you.")
	return nil, nil
}

func main() {
	d := deferred.New()

	// add a callback/errback pair to the chain
	d.AddCallbacks(gotPoem, poemFailed)

	// fire the chain with an error result
	//lint:ignore ST1005 the tutorial's message, printed as it is
	_ = d.Errback(errors.New("I have failed."))
}
