// Command defer-unhandled lets a callback fail with nothing to handle the
// failure. "Finished" is printed as usual; the unhandled failure is reported
// on standard error ("Unhandled error in Deferred:" and its traceback) when
// the Deferred is garbage-collected, after "Finished".
//
// The tutorial's twisted-deferred/defer-unhandled.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-unhandled
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"gyre/deferred"
)

func callback(res any) (any, error) {
	return nil, errors.New("oops")
}

func main() {
	d := deferred.New()
	d.AddCallback(callback)
	_ = d.Callback("Here is your result.")

	fmt.Println("Finished")

	// In Python d is a module global, alive until the interpreter exits;
	// here it would be garbage from the line above, so keep it until now.
	runtime.KeepAlive(d)

	// Python collects the Deferred as the interpreter exits, and the report
	// appears then. A Go program collects nothing on exit, so ask for a
	// collection and wait (a bounded time) for the report.
	deferred.FlushUnhandled(5 * time.Second)
}
