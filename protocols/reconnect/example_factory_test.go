package reconnect_test

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"gyre/protocols/reconnect"
	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// A reconnecting client driven by hand on reactortest's double of the
// reactor: a refused attempt, a retry after the backoff, a success, then
// a lost connection, which is retried after the initial delay again
// because the success reset the schedule.
func ExampleFactory() {
	r := reactortest.NewReactor()
	start := r.Now()
	f := &reconnect.Factory{
		Clock:   r,
		Backoff: reconnect.Backoff{InitialDelay: time.Second, Jitter: -1}, // no jitter: exact delays
	}
	f.Protocol = func() reactor.Protocol { return &reactor.BaseProtocol{} }
	f.Retrying = func(n int, delay time.Duration, reason error) {
		fmt.Printf("%v: %s; retry %d in %v\n", r.Now().Sub(start), why(reason), n, delay.Round(time.Millisecond))
	}
	r.ConnectTCP("127.0.0.1:10000", f, 30*time.Second)

	r.LastConnect().Refuse()
	r.Advance(999 * time.Millisecond)
	fmt.Println("attempts at 999ms:", len(r.Connects()))
	r.Advance(time.Millisecond)
	fmt.Println("attempts at 1s:", len(r.Connects()))

	r.LastConnect().Refuse() // the second delay is e times the first
	r.Advance(2719 * time.Millisecond)
	t, _ := r.LastConnect().Complete()
	fmt.Println("connected after", len(r.Connects()), "attempts; retries now", f.Retries())

	t.ResetPeer()
	f.StopTrying() // for good: the retry just scheduled is cancelled
	r.Advance(time.Hour)
	fmt.Println("attempts in all:", len(r.Connects()))
	// Output:
	// 0s: refused; retry 1 in 1s
	// attempts at 999ms: 1
	// attempts at 1s: 2
	// 1s: refused; retry 2 in 2.718s
	// connected after 3 attempts; retries now 0
	// 3.719s: reset; retry 1 in 1s
	// attempts in all: 3
}

// why names the end of an attempt in a few words (the errno's own text
// differs between systems).
func why(reason error) string {
	switch {
	case errors.Is(reason, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(reason, syscall.ECONNRESET):
		return "reset"
	}
	return reason.Error()
}
