package poetry_test

import (
	"fmt"
	"log"
	"time"

	"gyre/poetry"
	"gyre/reactor/reactortest"
)

// The slow server of part 2: a few characters every delay, scheduled on
// the clock it is given, so that a test double of the reactor
// (reactortest, with a task.Clock) shows the schedule without waiting
// for it. On a real reactor, pass the *reactor.Reactor as the clock and
// ListenTCP the factory the same way. Every client is served on the
// reactor's loop, by one timer for all of them.
func ExampleNewSlowServerFactory() {
	r := reactortest.NewReactor()
	poem := []byte("Slowly, slowly, the snail climbs.\n") // 34 bytes
	slow := poetry.NewSlowServerFactory(r, poem, 10, 100*time.Millisecond,
		poetry.WithServeObserver(func(s poetry.Served) {
			fmt.Println("served", s.Bytes, "bytes in", s.Duration, "-", s.Outcome())
		}))
	port, err := r.ListenTCP("127.0.0.1:10000", slow)
	if err != nil {
		log.Fatal(err)
	}
	start := r.Now()
	t := &reactortest.StringTransport{Clock: r} // dates each write
	port.AcceptWith(t)
	fmt.Println("clients:", slow.Clients())
	sent := 0
	for {
		for ; sent < len(t.Writes()); sent++ {
			fmt.Printf("at %v: %q\n", t.WriteTimes()[sent].Sub(start), t.Writes()[sent])
		}
		if closed, ok := t.ClosedAt(); ok {
			fmt.Println("closing at", closed.Sub(start))
			break
		}
		r.Advance(100 * time.Millisecond)
	}
	t.Disconnect() // the double ends the connection, as the reactor would
	fmt.Println("clients:", slow.Clients())
	// Output:
	// clients: 1
	// at 0s: "Slowly, sl"
	// at 100ms: "owly, the "
	// at 200ms: "snail clim"
	// at 300ms: "bs.\n"
	// closing at 400ms
	// served 34 bytes in 400ms - done
	// clients: 0
}
