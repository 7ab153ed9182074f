package reactor_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// Stop is the one method besides CallFromGoroutine that any goroutine may
// call: here a goroutine stops the reactor once the loop has said it runs.
// Run returns after the shutdown, and Done is closed then, for goroutines
// that wait for the end. A reactor runs once.
func ExampleReactor_Stop() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stop before Run:", errors.Is(r.Stop(), reactor.ErrNotRunning))
	running := make(chan struct{})
	r.CallWhenRunning(func() { close(running) })
	go func() {
		<-running
		r.Stop() // returns at once; the loop stops after its current callback
	}()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	<-r.Done() // already closed: Run has returned
	fmt.Println("stopped")
	fmt.Println("stop again:", errors.Is(r.Stop(), reactor.ErrNotRunning))
	fmt.Println("run again:", errors.Is(r.Run(), reactor.ErrReactorStopped))
	// Output:
	// stop before Run: true
	// stopped
	// stop again: true
	// run again: true
}

// A Before-shutdown trigger whose Deferred never fires cannot hold the
// shutdown forever: after WithShutdownTimeout the shutdown goes on (Run
// returns nil) and the log says which wait was cut short.
func ExampleWithShutdownTimeout() {
	var logged bytes.Buffer
	r, err := reactor.New(
		reactor.WithShutdownTimeout(20*time.Millisecond),
		reactor.WithLogger(slog.New(reactor.NewTracebackHandler(&logged, nil))),
	)
	if err != nil {
		log.Fatal(err)
	}
	r.AddSystemEventTrigger(reactor.Before, reactor.Shutdown, func() *deferred.Deferred {
		fmt.Println("flushing, forever")
		return deferred.New() // never fired
	})
	r.CallWhenRunning(func() { r.Stop() })
	start := time.Now()
	err = r.Run()
	fmt.Println("Run returned:", err, "after the timeout:", time.Since(start) >= 20*time.Millisecond)
	fmt.Println("logged:", strings.SplitN(logged.String(), "\n", 2)[0])
	// Output:
	// flushing, forever
	// Run returned: <nil> after the timeout: true
	// logged: shutdown stopped waiting for its triggers waiting=1 timeout=20ms
}
