// Command get-poetry is the tutorial's Twisted client 5.0
// (twisted-client-5/get-poetry.py in part 10 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor and Deferreds.
//
//	go run ./examples/twisted-client-5/get-poetry [--seed N] [--timeout SECONDS] [hostname]:port ...
//
// # A longer chain
//
// Client 4.0 put one pair of functions on each poem's Deferred. This client
// transforms the poem before printing it, and the transformation is one
// more stage of the chain, between the download and the printing:
//
//	d := poetry.GetPoetry(r, addr)          // the download (client 4's getPoetry, now a library's)
//	d.AddCallback(run.tryToCummingsify)     // the transformation
//	d.AddCallbacks(run.gotPoem, run.poemFailed)
//	d.AddBoth(run.poemDone)
//
// The transformation is poetry.Cummingsify, which lower-cases a poem in
// honour of e. e. cummings and is deliberately unreliable: one time in
// three each, it succeeds, fails with a *poetry.GibberishError, or fails
// with a *poetry.ValueError (a bug). The chain routes the three outcomes:
//
//   - success: the lower-case poem goes down the callback line to gotPoem,
//     which prints it;
//   - GibberishError: tryToCummingsify passes it on as its error, so the
//     chain switches to the errback line and poemFailed prints "The poem
//     download failed." (the tutorial's deliberately misleading words: by
//     then poemFailed cannot tell a broken download from a rejected poem);
//   - ValueError: tryToCummingsify handles it itself, as the original's
//     try/except does: it prints "Cummingsify failed!" and returns the
//     original poem, so the chain stays on the callback line and gotPoem
//     prints the poem unchanged.
//
// A failed download never reaches tryToCummingsify: AddCallback's stage
// has no errback, so a failure passes it by, straight to poemFailed.
// Client 5.1 moves the handling of the bug out of the callback into an
// errback of its own.
//
// # Options
//
// --seed N makes the outcomes reproducible: Cummingsify's random choices
// come from a generator seeded with N (in the order the poems finish).
// Without it, every run draws afresh, as the original does. --timeout
// SECONDS abandons a download still going after that long; it fails like
// any other download (poetry.WithTimeout), so poemFailed reports it.
//
// # Output
//
// As the original's, printed as each poem arrives: the lower-case poem, or
// "Cummingsify failed!" and the poem as it was, each poem followed by an
// empty line; "The poem download failed." on stderr for a failed download
// or a gibberish poem.
//
// Where this client departs from the original:
//
//   - After "Cummingsify failed!" the Python 3 port of the original prints
//     the poem as a bytes literal on one line (b"The Fascination of...\n"),
//     because its fallback returns the undecoded bytes. That is a slip of
//     the port, not part of the lesson (the tutorial, in Python 2, prints
//     the poem, and client 5.1 does too), and Go has no such difference
//     between text and bytes: this client prints the poem.
//   - --seed and --timeout are gyre's additions.
//   - A connection lost before the end of the poem is a failed download,
//     not a short poem.
package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"

	"gyre/deferred"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 5.0
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-5/get-poetry 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// poetryRun holds what the chains of every download share: the random
// source of Cummingsify and the count of outcomes, to stop the reactor
// after the last one.
type poetryRun struct {
	reactor *reactor.Reactor
	rng     *rand.Rand // nil: math/rand/v2's own source
	want    int
	poems   int
	errors  int
}

// tryToCummingsify is the transforming stage: it returns the cummingsified
// poem, or, if Cummingsify has hit its bug, the original poem. Only a
// GibberishError gets through, as this stage's failure.
func (run *poetryRun) tryToCummingsify(result any) (any, error) {
	poem := result.(string)
	cummings, err := poetry.Cummingsify(poem, run.rng)
	var gibberish *poetry.GibberishError
	switch {
	case err == nil:
		return cummings, nil
	case errors.As(err, &gibberish):
		return nil, err
	default:
		fmt.Println("Cummingsify failed!")
		return poem, nil
	}
}

func (run *poetryRun) gotPoem(poem any) (any, error) {
	fmt.Println(poem)
	run.poems++
	return nil, nil
}

func (run *poetryRun) poemFailed(*deferred.Failure) (any, error) {
	fmt.Fprintln(os.Stderr, "The poem download failed.")
	run.errors++
	return nil, nil
}

func (run *poetryRun) poemDone(any) (any, error) {
	if run.poems+run.errors == run.want {
		run.reactor.Stop()
	}
	return nil, nil
}

func main() {
	p := optparse.New("get-poetry", usage)
	seed := p.Int("--seed", 0,
		"Seed the random outcomes of Cummingsify, to make a run reproducible. Default is a new draw every run.")
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

	run := &poetryRun{reactor: r, want: len(addrs)}
	if p.Changed("--seed") {
		run.rng = rand.New(rand.NewPCG(uint64(*seed), uint64(*seed)))
	}
	var opts []poetry.GetOption
	if limit > 0 {
		opts = append(opts, poetry.WithTimeout(limit))
	}
	for _, addr := range addrs {
		d := poetry.GetPoetry(r, addr.String(), opts...)
		d.AddCallback(run.tryToCummingsify)
		d.AddCallbacks(run.gotPoem, run.poemFailed)
		d.AddBoth(run.poemDone)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}
}
