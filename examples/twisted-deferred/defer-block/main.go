// Command defer-block has a callback that blocks: it writes a poem a few
// words at a time, sleeping in between. Firing the Deferred does not make
// the callback asynchronous: Callback returns only when the chain is done,
// and the reactor waits all that time (11.5 seconds).
//
// Its reactor takes Ctrl-C and SIGTERM, as the original's does: a signal
// during the poem stops the reactor only once the blocking callback has
// returned, so the rest of the poem, the closing lines and "Done." are
// still written, and the exit status is 0. One difference: the original
// then also reports its own second stop as an Unhandled Error
// (ReactorNotRunning) on stderr; here the signal's stop comes first and
// the program's is refused silently.
//
// The tutorial's twisted-deferred/defer-block.py. Run it with:
//
//	go run ./examples/twisted-deferred/defer-block
package main

import (
	"fmt"
	"os"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

func startChain(any) (any, error) {
	fmt.Println("The start of the callback chain.")
	return nil, nil
}

func blockingPoem(any) (any, error) {
	// Each fragment goes straight to standard output (Go does not buffer
	// it), after sleeping: the sleep blocks everything else.
	delayedWrite := func(s string, delay time.Duration) {
		time.Sleep(delay)
		fmt.Print(s)
	}

	const ms = time.Millisecond
	delayedWrite("\n", 0)
	delayedWrite("I", 600*ms)
	delayedWrite(" block", 400*ms)
	delayedWrite("\n  and", 1000*ms)
	delayedWrite(" the", 400*ms)
	delayedWrite(" deferred", 600*ms)
	delayedWrite("\n  blocks", 1500*ms)
	delayedWrite(" with", 200*ms)
	delayedWrite(" me", 200*ms)
	delayedWrite("\nas does", 1000*ms)
	delayedWrite("\n the reactor", 600*ms)
	delayedWrite("\nkeep that", 1000*ms)
	delayedWrite("\n factor", 600*ms)
	delayedWrite("\nin", 1000*ms)
	delayedWrite(" mind", 400*ms)
	delayedWrite("\n\n", 2000*ms)
	return nil, nil
}

func main() {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "defer-block:", err)
		os.Exit(1)
	}

	endChain := func(any) (any, error) {
		fmt.Println("The end of the callback chain.")
		_ = r.Stop()
		return nil, nil
	}

	d := deferred.New()
	d.AddCallback(startChain)
	d.AddCallback(blockingPoem)
	d.AddCallback(endChain)

	fire := func() {
		fmt.Println("Firing deferred.")
		_ = d.Callback(true)
		fmt.Println("Firing finished.")
	}

	r.CallWhenRunning(fire)

	fmt.Println("Starting reactor.")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "defer-block:", err)
		os.Exit(1)
	}
	fmt.Println("Done.")
}
