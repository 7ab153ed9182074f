// Command get-poetry-1 is the tutorial's Twisted client 5.1
// (twisted-client-5/get-poetry-1.py in part 10 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor and Deferreds.
//
//	go run ./examples/twisted-client-5/get-poetry-1 [--seed N] [--timeout SECONDS] [hostname]:port ...
//
// # Handling the error in an errback
//
// Client 5.0 caught Cummingsify's bug inside its callback: the callback
// both transformed the poem and decided what to do when that went wrong.
// This version leaves the callback to do one thing, and lets the chain
// route the failure to an errback that knows what to do about it:
//
//	d := poetry.GetPoetry(r, addr)
//	d.AddCallback(run.cummingsify)          // transform, or fail
//	d.AddErrback(run.cummingsifyFailed)     // recover from the bug, and only that
//	d.AddCallbacks(run.gotPoem, run.poemFailed)
//	d.AddBoth(run.poemDone)
//
// cummingsify calls poetry.Cummingsify and reports its bug (a
// *poetry.ValueError) as a *poetry.CannotCummingsify, which carries the
// original poem; the original's cummingsify raises CannotCummingsify
// itself. The outcomes, stage by stage:
//
//   - success: the lower-case poem passes cummingsifyFailed (AddErrback's
//     stage has no callback, so a result goes straight through) and reaches
//     gotPoem, which prints it;
//   - CannotCummingsify: the chain switches to the errback line;
//     cummingsifyFailed recognises it (Failure.Check), prints "Cummingsify
//     failed!" and returns the original poem, which brings the chain back
//     to the callback line: gotPoem prints the poem as it was;
//   - GibberishError: cummingsifyFailed does not recognise it and returns
//     the Failure, which keeps the chain on the errback line: poemFailed
//     prints "The poem download failed.";
//   - a failed download skips cummingsify (no errback in its stage), is
//     passed on by cummingsifyFailed, and reaches poemFailed too.
//
// An errback that handles a failure returns a value; one that does not,
// returns the failure. That is the whole of error handling with Deferreds,
// and it is Python's try/except spread along the chain.
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
// Where this client departs from the original: --seed and --timeout are
// gyre's additions, and a connection lost before the end of the poem is a
// failed download, not a short poem. As the original, it exits with status
// 0 after "The poem download failed.".
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

This is the Get Poetry Now! client, Twisted version 5.1
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-5/get-poetry-1 10001 10002 10003

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

// cummingsify is the transforming stage: it returns the cummingsified
// poem, or fails. Cummingsify's bug is reported as a CannotCummingsify,
// which carries the poem, so that an errback can fall back on it.
func (run *poetryRun) cummingsify(result any) (any, error) {
	poem := result.(string)
	cummings, err := poetry.Cummingsify(poem, run.rng)
	var bug *poetry.ValueError
	if errors.As(err, &bug) {
		return nil, &poetry.CannotCummingsify{Poem: poem}
	}
	if err != nil {
		return nil, err
	}
	return cummings, nil
}

// cummingsifyFailed handles CannotCummingsify, by falling back on the
// original poem, and passes every other failure on.
func (run *poetryRun) cummingsifyFailed(err *deferred.Failure) (any, error) {
	var cannot *poetry.CannotCummingsify
	if err.Check(&cannot) != nil {
		fmt.Println("Cummingsify failed!")
		return cannot.Poem, nil
	}
	return nil, err
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
	p := optparse.New("get-poetry-1", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-1:", err)
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
		d.AddCallback(run.cummingsify)
		d.AddErrback(run.cummingsifyFailed)
		d.AddCallbacks(run.gotPoem, run.poemFailed)
		d.AddBoth(run.poemDone)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-1:", err)
		os.Exit(1)
	}
}
