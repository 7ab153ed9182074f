package reactor_test

import (
	"bytes"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"time"

	"gyre/reactor"
)

// A callback that panics does not take the program down: the reactor
// recovers the panic, logs it as "Unhandled Error" with its traceback
// through the logger given WithLogger, and the loop goes on with the next
// callback. NewTracebackHandler prints the record as Twisted would: the
// message, then the traceback, ending with the panic's value.
func ExampleWithLogger() {
	var logged bytes.Buffer
	logger := slog.New(reactor.NewTracebackHandler(&logged, nil))
	r, err := reactor.New(reactor.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	r.CallLater(time.Millisecond, func() {
		panic("I fall down.")
	})
	r.CallLater(2*time.Millisecond, func() {
		fmt.Println("the loop goes on")
		r.Stop()
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// The traceback's lines name files and lines; print its ends only.
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	fmt.Println(lines[len(lines)-1])
	// Output:
	// the loop goes on
	// Unhandled Error
	// Traceback (most recent call last):
	// *deferred.PanicError: panic: I fall down.
}
