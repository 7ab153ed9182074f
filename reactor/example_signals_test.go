package reactor_test

import (
	"fmt"
	"log"
	"os"
	"syscall"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// A program that Ctrl-C (SIGINT) or SIGTERM stops cleanly: the reactor
// stops as if Stop had been called, so the shutdown triggers run (here a
// goodbye), and Run returns nil. To show it without a terminal, the
// process sends SIGINT to itself once the loop runs; without
// WithSignalHandling that signal would end it at once. After Run has
// returned, the signals are handled as before New.
func ExampleWithSignalHandling() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		log.Fatal(err)
	}
	r.AddSystemEventTrigger(reactor.Before, reactor.Shutdown, func() *deferred.Deferred {
		fmt.Println("saying goodbye")
		return nil
	})
	r.CallWhenRunning(func() {
		fmt.Println("running until a signal")
		syscall.Kill(os.Getpid(), syscall.SIGINT) // as Ctrl-C would
	})
	// Bounded, should the signal be lost: the output then tells.
	r.CallLater(10*time.Second, func() {
		fmt.Println("no signal came")
		r.Stop()
	})
	err = r.Run()
	fmt.Println("Run returned:", err)
	// Output:
	// running until a signal
	// saying goodbye
	// Run returned: <nil>
}
