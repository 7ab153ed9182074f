// Command get-poetry-stack is the tutorial's Twisted client 4.0 with a
// stack trace (twisted-client-4/get-poetry-stack.py in part 8 of Dave
// Peticolas's Twisted tutorial): ../get-poetry with one change. When the
// first poem is complete, its callback prints the goroutine's stack on
// stderr and the program exits, with status 0.
//
//	go run ./examples/twisted-client-4/get-poetry-stack [hostname]:port ...
//
// # How a poem reaches its callback
//
// The stack, read from the bottom up, is the path of a finished poem (its
// main frames; the real stack has a few more in between):
//
//	main.(*results).gotPoem                            the callback, at the top
//	gyre/deferred.(*Deferred).runStages                the chain runs...
//	gyre/deferred.(*Deferred).Callback                 ...because the Deferred was fired
//	gyre/poetry.(*ClientFactory).PoemFinished    by the factory,
//	gyre/poetry.(*ClientProtocol).PoemReceived         told by the protocol
//	gyre/poetry.(*ClientProtocol).ConnectionLost       that the connection ended,
//	gyre/reactor.(*Conn).ConnectionLost                as the connection learnt
//	gyre/reactor.(*Reactor).disconnect                 when the reactor dropped it
//	gyre/reactor.(*Reactor).dispatch                   after a read found the end
//	gyre/reactor.(*Reactor).Run                        in the loop
//	main.main
//
// Nothing in between waits or hands over to another goroutine: firing a
// Deferred runs its callbacks there and then, synchronously, inside the
// call that fired it, all the way down from the reactor's loop. A Deferred
// does not make anything asynchronous; it only lets the code that has the
// result call code it does not know about. The Python original shows the
// same chain through Twisted's frames (tcp connectionLost, poemReceived,
// poem_finished, Deferred.callback, _runCallbacks, got_poem). Go prints
// the innermost call first, under runtime/debug's own two frames.
//
// Everything else is client 4.0's: a failed
// download prints "Poem failed: [Failure instance: ...]" on stderr, and
// the exit status is 0 all the same, as the original's.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"gyre/deferred"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 4.0, with stacktrace.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-4/get-poetry-stack 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

But it's just going to print out a stacktrace as soon as it
gets the first poem.
`

// getPoetry downloads a poem from addr ("host:port") and returns a
// Deferred that fires with the poem (a string), or fails.
func getPoetry(r *reactor.Reactor, addr string) *deferred.Deferred {
	factory := poetry.NewClientFactory()
	r.ConnectTCP(addr, factory, reactor.DefaultConnectTimeout)
	return factory.Deferred
}

// results collects the outcome of every download, and stops the reactor
// when the last one is in.
type results struct {
	reactor *reactor.Reactor
	want    int
	poems   []string
	errors  []*deferred.Failure
}

// gotPoem shows who called it, and ends the program on the spot (the
// original's os._exit(0): nothing else runs).
func (res *results) gotPoem(poem any) (any, error) {
	debug.PrintStack()
	os.Exit(0)
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
	p := optparse.New("get-poetry-stack", usage)
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}

	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-stack:", err)
		os.Exit(1)
	}

	res := &results{reactor: r, want: len(addrs)}
	for _, addr := range addrs {
		d := getPoetry(r, addr.String())
		d.AddCallbacks(res.gotPoem, res.poemFailed)
		d.AddBoth(res.poemDone)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-stack:", err)
		os.Exit(1)
	}

	for _, poem := range res.poems {
		fmt.Println(poem)
	}
}
