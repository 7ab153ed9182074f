// Command get-poetry-exercise-2 answers the second exercise of part 8 of
// Dave Peticolas's Twisted tutorial: make client 4.0 (../get-poetry) say
// which server a failed download was asking.
//
//	go run ./examples/twisted-client-4/get-poetry-exercise-2 [--timeout SECONDS] [hostname]:port ...
//
// The errback is called with the failure only: nothing in a Failure says
// which download it belongs to. But the caller knows, when it attaches the
// errback, and can attach one that knows too: Python passes the address as
// an extra argument to addErrback; Go closes over it,
//
//	d.AddCallbacks(res.gotPoem, func(err *deferred.Failure) (any, error) {
//		return res.poemFailed(err, addr)
//	})
//
// so that each failure is reported with its server,
//
//	Poem from 127.0.0.1:10009 failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: Connection was refused by other side: 111: Connection refused.
//	]
//
// Everything else is client 4.0's, with the --timeout of its first
// exercise (../get-poetry-exercise-1).
package main

import (
	"fmt"
	"os"
	"time"

	"gyre/deferred"
	"gyre/examples/internal/client4"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 4.0,
naming the server of each failed download.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-4/get-poetry-exercise-2 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// TimeoutError is the failure of a download that was not complete within
// --timeout. It matches poetry.ErrTimeout with errors.Is.
type TimeoutError struct {
	Addr    string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("Timed out after %v waiting for the poem from %s.", e.Timeout, e.Addr)
}

// Unwrap makes errors.Is(err, poetry.ErrTimeout) true.
func (e *TimeoutError) Unwrap() error { return poetry.ErrTimeout }

// getPoetry downloads a poem from addr ("host:port") and returns a
// Deferred that fires with the poem (a string), or fails. With a timeout
// above zero, a download still going after it fails with a *TimeoutError.
func getPoetry(r *reactor.Reactor, addr string, timeout time.Duration) *deferred.Deferred {
	return client4.GetPoetry(r, addr, timeout, func() error {
		return &TimeoutError{Addr: addr, Timeout: timeout}
	})
}

// results collects the outcome of every download, and stops the reactor
// when the last one is in.
type results struct {
	reactor *reactor.Reactor
	want    int
	poems   []string
	errors  []*deferred.Failure
}

func (res *results) gotPoem(poem any) (any, error) {
	res.poems = append(res.poems, poem.(string))
	return nil, nil
}

// poemFailed reports the failure of the download from addr.
func (res *results) poemFailed(err *deferred.Failure, addr string) (any, error) {
	fmt.Fprintf(os.Stderr, "Poem from %s failed: %+v\n", addr, err)
	res.errors = append(res.errors, err)
	return nil, nil // handled: the chain goes back to the callback line
}

func (res *results) poemDone(any) (any, error) {
	if len(res.poems)+len(res.errors) == res.want {
		res.reactor.Stop()
	}
	return nil, nil
}

func main() {
	p := optparse.New("get-poetry-exercise-2", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-2:", err)
		os.Exit(1)
	}

	res := &results{reactor: r, want: len(addrs)}
	for _, addr := range addrs {
		d := getPoetry(r, addr.String(), limit)
		addr := addr.String()
		d.AddCallbacks(res.gotPoem, func(err *deferred.Failure) (any, error) {
			return res.poemFailed(err, addr)
		})
		d.AddBoth(res.poemDone)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-2:", err)
		os.Exit(1)
	}

	for _, poem := range res.poems {
		fmt.Println(poem)
	}
}
