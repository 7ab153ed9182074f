// Package client4 is the part of the tutorial's Twisted client 4.0
// (examples/twisted-client-4/get-poetry) that the answer to the first
// exercise of part 8 (examples/twisted-client-4/get-poetry-exercise-1)
// keeps unchanged: what is done with each download's Deferred, and the
// run of the reactor until every download is over. The two programs
// differ in their getPoetry only, which each passes to Run. GetPoetry is
// the getPoetry with a timeout of both of part 8's exercises.
package client4

import (
	"fmt"
	"os"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/reactor"
)

// Run downloads a poem from every address with getPoetry, on a reactor of
// its own, and attaches to each Deferred client 4.0's stages:
//
//	d := getPoetry(r, addr)
//	d.AddCallbacks(gotPoem, poemFailed)
//	d.AddBoth(poemDone)
//
// A failure is reported on stderr as it happens ("Poem failed: ...");
// when every download is over the reactor stops, and Run prints the
// poems, each followed by an empty line, in the order they finished. A
// reactor that cannot start or run is one line, "prog: ERROR", and exit
// status 1.
func Run(prog string, addrs []poetry.Address, getPoetry func(r *reactor.Reactor, addr string) *deferred.Deferred) {
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		os.Exit(1)
	}
	res := &results{reactor: r, want: len(addrs)}
	for _, addr := range addrs {
		d := getPoetry(r, addr.String())
		d.AddCallbacks(res.gotPoem, res.poemFailed)
		d.AddBoth(res.poemDone)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		os.Exit(1)
	}
	for _, poem := range res.poems {
		fmt.Println(poem)
	}
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
