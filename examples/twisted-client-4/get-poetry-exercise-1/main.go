// Command get-poetry-exercise-1 answers the first exercise of part 8 of
// Dave Peticolas's Twisted tutorial: client 4.0 (../get-poetry) with a
// timeout that fails the Deferred with an error of its own and closes the
// connection.
//
//	go run ./examples/twisted-client-4/get-poetry-exercise-1 [--timeout SECONDS] [hostname]:port ...
//
// With --timeout, a download that is not complete after that many seconds
// is abandoned: a timer fires the Deferred with a *TimeoutError and cuts
// the connection (or stops the attempt). The timeout is not a special case
// for the code that uses the poem: it is one more way for the Deferred to
// fail, so it reaches the same errback as a refused connection,
//
//	Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: Timed out after 2s waiting for the poem from 127.0.0.1:10001.
//	]
//
// The factory's own firing, when the connection then ends, finds the
// Deferred already fired and is dropped (PoemFinished and PoemFailed
// check). Whatever the outcome, a stage added to the Deferred cancels the
// timer, which has nothing left to do.
//
// Only getPoetry differs from client 4.0's: the rest, what is done with
// each outcome and the run until every download is over, is client4.Run
// (../../internal/client4), which both programs call. The timer is
// client4.GetPoetry, which the second exercise calls too. Without
// --timeout (or with --timeout 0) it is client 4.0.
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
with a timeout.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-4/get-poetry-exercise-1 10001 10002 10003

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

func main() {
	p := optparse.New("get-poetry-exercise-1", usage)
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
	client4.Run("get-poetry-exercise-1", addrs, func(r *reactor.Reactor, addr string) *deferred.Deferred {
		return getPoetry(r, addr, limit)
	})
}
