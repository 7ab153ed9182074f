// Command exception shows that a callback that fails does not bring the
// reactor down: the first callback panics, the reactor recovers, logs
// "Unhandled Error" with the traceback on standard error, and goes on to run
// the second callback, which stops it.
//
// The traceback runs oldest call first, as Twisted prints it: main, Run,
// then, below "--- <exception caught here> ---", the reactor function that
// recovered and the frames down to the panic.
//
// The tutorial's basic-twisted/exception.py. Run it with:
//
//	go run ./examples/basic-twisted/exception
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"gyre/reactor"
)

func falldown() {
	//lint:ignore ST1005 the tutorial's message, capital and full stop included
	panic(errors.New("I fall down."))
}

func main() {
	// Log the reactor's errors the way Twisted prints them on stderr.
	logger := slog.New(reactor.NewTracebackHandler(os.Stderr, slog.LevelError))
	r, err := reactor.New(reactor.WithLogger(logger), reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "exception:", err)
		os.Exit(1)
	}
	upagain := func() {
		fmt.Println("But I get up again.")
		r.Stop()
	}
	r.CallWhenRunning(falldown)
	r.CallWhenRunning(upagain)
	fmt.Println("Starting the reactor.")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "exception:", err)
		os.Exit(1)
	}
}
