// Command defer-7 fires a Deferred with Errback, then with Callback. The
// first firing runs the chain; the second runs nothing and returns an error
// (deferred.ErrAlreadyCalled), which this program, like the tutorial's, does
// not handle: it reports it on standard error and exits with status 1.
//
// The tutorial's twisted-deferred/defer-7.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-7
package main

import (
	"errors"
	"fmt"
	"os"

	"gyre/deferred"
)

// out prints a result, or a Failure in the form Python's print gives it.
func out(s any) (any, error) {
	fmt.Printf("%+v\n", s)
	return nil, nil
}

func main() {
	d := deferred.New()
	d.AddCallbacks(out, func(e *deferred.Failure) (any, error) { return out(e) })
	//lint:ignore ST1005 the tutorial's message, printed as it is
	_ = d.Errback(errors.New("First error"))
	if err := d.Callback("First result"); err != nil {
		// Nothing handles this error: report it as Python reports an
		// uncaught exception, and exit 1.
		fmt.Fprint(os.Stderr, deferred.NewFailure(err).Traceback())
		os.Exit(1)
	}
	fmt.Println("Finished")
}
