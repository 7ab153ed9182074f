// Command defer-4 fires a Deferred twice with Callback. The first firing
// runs the chain; the second runs nothing and returns an error
// (deferred.ErrAlreadyCalled), which this program, like the tutorial's, does
// not handle: it reports it on standard error and exits with status 1.
//
// The tutorial's twisted-deferred/defer-4.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-4
package main

import (
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
	_ = d.Callback("First result")
	if err := d.Callback("Second result"); err != nil {
		// Nothing handles this error: report it as Python reports an
		// uncaught exception, and exit 1.
		fmt.Fprint(os.Stderr, deferred.NewFailure(err).Traceback())
		os.Exit(1)
	}
	fmt.Println("Finished")
}
