// Command get-poetry-inline is the tutorial's Twisted client 4.0 (part 8,
// twisted-client-4/get-poetry.py) written in the sequential style that
// Twisted reached later with inlineCallbacks (part 17): the same output
// and the same exit status as ./examples/twisted-client-4/get-poetry, the
// --timeout of its first exercise (get-poetry-exercise-1), and no callback
// in sight.
//
//	go run ./examples/beyond/get-poetry-inline [--timeout SECONDS] [hostname]:port ...
//
// # Sequential code on the loop
//
// Client 4.0 attaches a callback, an errback and a both-callback to each
// download's Deferred, and counts outcomes to know when to stop. Here each
// download is a function read top to bottom:
//
//	poem, err := poetry.GetPoem(ctx, r, addr).Await(co)
//	if err != nil {
//		report the failure
//		return
//	}
//	keep the poem
//
// deferred.Inline runs such a function as a coroutine: Await suspends it
// until the download's Deferred fires, and the reactor's loop goes on with
// the other downloads meanwhile. Nothing runs in parallel: the body runs
// only on the loop's turn, when the Deferred it awaits fires, so the slice
// of poems needs no lock. The main body starts one download body per
// server, then awaits them all (deferred.NewList) and stops the reactor:
// no counting.
//
// The poem arrives as a string, typed: poetry.GetPoem returns a
// deferred.Future[string]. A failure arrives as an error, the
// *deferred.Failure itself, printed with %+v as client 4.0 prints it.
//
// # A time limit
//
// --timeout uses task.AddTimeout on the reactor's clock (Twisted's
// Deferred.addTimeout): a download not complete in time is cancelled,
// which aborts its connection, and its Deferred fails with a
// *task.TimeoutError. The body turns that into the same *TimeoutError
// client 4.0 reports, so the output is the same.
//
// # Output
//
// As client 4.0's: each failure on stderr as it happens ("Poem failed:
// [Failure instance: ...]"), then, when every download is over, the poems
// in the order they finished, each followed by an empty line; exit status
// 0 even after a failed download, as client 4.0 (and the original).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"gyre/deferred"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
	"gyre/task"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 4.0
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/beyond/get-poetry-inline 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// TimeoutError is the failure of a download that was not complete within
// --timeout, worded as client 4.0's first exercise words it. It matches
// poetry.ErrTimeout.
type TimeoutError struct {
	Addr    string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("Timed out after %v waiting for the poem from %s.", e.Timeout, e.Addr)
}

// Unwrap makes errors.Is(err, poetry.ErrTimeout) true.
func (e *TimeoutError) Unwrap() error { return poetry.ErrTimeout }

// getPoem downloads one poem, waiting for it in co; with a limit above
// zero, a download still going after it fails with a *TimeoutError.
func getPoem(co *deferred.Coroutine, r *reactor.Reactor, addr string, limit time.Duration) (string, error) {
	download := poetry.GetPoem(context.Background(), r, addr)
	if limit > 0 {
		task.AddTimeout(r, download.Deferred(), limit)
	}
	poem, err := download.Await(co)
	if errors.Is(err, task.ErrTimeout) {
		return "", deferred.NewFailure(&TimeoutError{Addr: addr, Timeout: limit})
	}
	return poem, err
}

// getPoems downloads every poem at once, each in a body of its own, and
// returns the poems in the order they finished.
func getPoems(co *deferred.Coroutine, r *reactor.Reactor, addrs []string, limit time.Duration) (poems []string, err error) {
	downloads := make([]*deferred.Deferred, len(addrs))
	for i, addr := range addrs {
		downloads[i] = deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			poem, err := getPoem(co, r, addr, limit)
			if err != nil {
				fmt.Fprintf(os.Stderr, "Poem failed: %+v\n", err)
				return nil, nil
			}
			poems = append(poems, poem)
			return nil, nil
		})
	}
	_, err = co.Await(deferred.NewList(downloads))
	return poems, err
}

func main() {
	p := optparse.New("get-poetry", usage)
	timeout := p.Float("--timeout", 0,
		"Give up on a poem that is not complete after this many seconds. Default is to wait as long as it takes.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}
	limit := p.SecondsOf("--timeout", *timeout, "the timeout must be 0 (none) or more seconds")

	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}
	servers := make([]string, len(addrs))
	for i, addr := range addrs {
		servers[i] = addr.String()
	}
	var poems []string
	r.CallWhenRunning(func() {
		deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			defer r.Stop()
			var err error
			poems, err = getPoems(co, r, servers, limit)
			return nil, err
		})
	})
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}

	for _, poem := range poems {
		fmt.Println(poem)
	}
}
