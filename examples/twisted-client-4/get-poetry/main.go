// Command get-poetry is the tutorial's Twisted client 4.0
// (twisted-client-4/get-poetry.py in part 8 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor and Deferreds.
//
//	go run ./examples/twisted-client-4/get-poetry [--timeout SECONDS] [hostname]:port ...
//
// # getPoetry returns a Deferred
//
// Client 3.1's getPoetry took two functions, one for the poem and one for
// a failure, and promised to call exactly one of them, once. That promise
// is what a Deferred is, made into a value. getPoetry now takes no
// functions at all:
//
//	d := getPoetry(r, addr)
//	d.AddCallbacks(gotPoem, poemFailed)
//	d.AddBoth(poemDone)
//
// It returns a *deferred.Deferred at once, and the caller attaches what it
// wants done with the outcome: a callback for the poem, an errback for a
// failure, and here a third stage that runs after either (AddBoth) and
// stops the reactor once every download is over. The factory fires the
// Deferred when it knows the outcome: Callback with the poem, Errback with
// the failure. Firing is synchronous: the chain of callbacks runs right
// there, inside the factory's call, inside the reactor's.
//
// The protocol and factory are gyre's poetry.ClientProtocol and
// poetry.ClientFactory, the tutorial's client 4 pair: the protocol
// collects the poem and, at a clean end of the connection, calls the
// factory's PoemFinished, which fires the Deferred; ClientConnectionFailed,
// and a connection lost before the end of the poem, fire it with the
// failure instead (the original takes any end for the end of the poem).
// getPoetry below is all there is to assembling them.
//
// # A time limit (the tutorial's exercise)
//
// With --timeout, a download that is not complete after that many seconds
// is abandoned: a timer fires the Deferred with a *TimeoutError and cuts
// the connection (or stops the attempt). The timeout is not a special case
// for the code that uses the poem: it is one more way for the Deferred to
// fail, so it reaches the same errback as a refused connection. The
// factory's own firing, when the connection then ends, finds the Deferred
// already fired and is dropped (PoemFinished and PoemFailed check).
//
// # Output
//
// As the original's: when every download is over, the poems, each
// followed by an empty line, in the order they finished; and for each
// failure, as it happens, on stderr,
//
//	Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: Connection was refused by other side: 111: Connection refused.
//	]
//
// (the Go type of the error where Python shows its class), or for a
// timeout
//
//	Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: Timed out after 2s waiting for the poem from 127.0.0.1:10001.
//	]
//
// Where this client departs from the original: --timeout (the original
// waits as long as the server keeps the connection open), and a connection
// lost uncleanly is a failure, not a poem. As the original, it exits with
// status 0 after a failed download.
package main

import (
	"fmt"
	"os"
	"time"

	"gyre/deferred"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 4.0
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-4/get-poetry 10001 10002 10003

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
	factory := poetry.NewClientFactory()
	connector := r.ConnectTCP(addr, factory, reactor.DefaultConnectTimeout)
	d := factory.Deferred
	if timeout > 0 {
		timer := r.CallLater(timeout, func() {
			factory.PoemFailed(&TimeoutError{Addr: addr, Timeout: timeout})
			// Stop the work too: the factory's own outcome, when it
			// comes, finds the Deferred fired and is dropped.
			if t := connector.Transport(); t != nil {
				t.AbortConnection()
			} else {
				connector.StopConnecting()
			}
		})
		// Whatever the outcome, the timer has nothing left to do. A stage
		// that returns its input, Failure or not, passes it on unchanged.
		d.AddBoth(func(result any) (any, error) {
			if timer.Active() {
				timer.Cancel()
			}
			return result, nil
		})
	}
	return d
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

func (res *results) poemFailed(err *deferred.Failure) (any, error) {
	fmt.Fprintf(os.Stderr, "Poem failed: %+v\n", err)
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

	res := &results{reactor: r, want: len(addrs)}
	for _, addr := range addrs {
		d := getPoetry(r, addr.String(), limit)
		d.AddCallbacks(res.gotPoem, res.poemFailed)
		d.AddBoth(res.poemDone)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}

	for _, poem := range res.poems {
		fmt.Println(poem)
	}
}
