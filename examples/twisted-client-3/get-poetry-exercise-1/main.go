// Command get-poetry-exercise-1 answers the first exercise of part 6 of
// Dave Peticolas's Twisted tutorial: give client 3.1 (../get-poetry-1) a
// timeout that calls the errback with an error of its own, and closes the
// connection.
//
//	go run ./examples/twisted-client-3/get-poetry-exercise-1 [--timeout SECONDS] [hostname]:port ...
//
// With --timeout, getPoetry starts a timer with CallLater beside the
// connection. Whichever comes first decides the download: the poem (the
// callback), a failure (the errback), or the timer, which calls the
// errback with a *TimeoutError,
//
//	Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: Timed out after 2s waiting for the poem from 127.0.0.1:10001.
//	]
//
// and closes the connection (LoseConnection), or stops connecting if it is
// not made yet. The factory remembers that the download is decided, so
// that what comes later (the connection's end, which would otherwise look
// like a poem) calls neither function again, and the first outcome to
// come cancels the timer. Everything else is client 3.1's, the exit
// status 0 included.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"gyre/deferred"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 3.1,
with a timeout.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-3/get-poetry-exercise-1 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// PoetryProtocol collects one poem and hands it to its factory at the end.
type PoetryProtocol struct {
	reactor.BaseProtocol
	poem []byte
}

// DataReceived keeps a copy of each piece (data is only lent).
func (p *PoetryProtocol) DataReceived(data []byte) {
	p.poem = append(p.poem, data...)
}

// ConnectionLost: a clean close is the end of the poem; any other end is
// a failure, which goes to the errback.
func (p *PoetryProtocol) ConnectionLost(reason error) {
	if !errors.Is(reason, reactor.ErrConnectionDone) {
		p.factory().failed(deferred.NewFailure(reason))
		return
	}
	p.poemReceived(string(p.poem))
}

func (p *PoetryProtocol) poemReceived(poem string) {
	p.factory().poemFinished(poem)
}

func (p *PoetryProtocol) factory() *PoetryClientFactory {
	return p.Factory.(*PoetryClientFactory)
}

// PoetryClientFactory builds the protocol of one download and passes its
// outcome on: the poem to callback, a failure to errback.
type PoetryClientFactory struct {
	reactor.BaseClientFactory
	callback func(poem string)
	errback  func(err *deferred.Failure)
	decided  bool                 // callback or errback has been called
	timer    *reactor.DelayedCall // the timeout, if there is one
}

// TimeoutError is the failure of a download that was not complete within
// --timeout.
type TimeoutError struct {
	Addr    string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("Timed out after %v waiting for the poem from %s.", e.Timeout, e.Addr)
}

// decide lets the first outcome through, once, and stops the timer.
func (f *PoetryClientFactory) decide() bool {
	if f.decided {
		return false
	}
	f.decided = true
	if f.timer != nil && f.timer.Active() {
		f.timer.Cancel()
	}
	return true
}

// NewPoetryClientFactory returns a factory for one download.
func NewPoetryClientFactory(callback func(string), errback func(*deferred.Failure)) *PoetryClientFactory {
	f := &PoetryClientFactory{callback: callback, errback: errback}
	f.Protocol = func() reactor.Protocol { return new(PoetryProtocol) }
	return f
}

// BuildProtocol builds through BaseFactory, making this factory the
// protocol's Factory.
func (f *PoetryClientFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
	return f.BuildProtocolFor(f, addr)
}

func (f *PoetryClientFactory) poemFinished(poem string) {
	if f.decide() {
		f.callback(poem)
	}
}

// failed hands a failure to the errback, unless the download is decided.
func (f *PoetryClientFactory) failed(err *deferred.Failure) {
	if f.decide() {
		f.errback(err)
	}
}

// ClientConnectionFailed hands the reason to the errback, as a Failure
// (Twisted gives the factory one; gyre gives an error, wrapped here).
func (f *PoetryClientFactory) ClientConnectionFailed(_ *reactor.Connector, reason error) {
	f.failed(deferred.NewFailure(reason))
}

// getPoetry downloads a poem from addr ("host:port") and, later, calls
// callback with it or errback with the reason it failed: a *TimeoutError
// if timeout is above zero and the poem is not in by then. It returns at
// once.
func getPoetry(r *reactor.Reactor, addr string, timeout time.Duration, callback func(string), errback func(*deferred.Failure)) {
	factory := NewPoetryClientFactory(callback, errback)
	connector := r.ConnectTCP(addr, factory, reactor.DefaultConnectTimeout)
	if timeout <= 0 {
		return
	}
	factory.timer = r.CallLater(timeout, func() {
		factory.failed(deferred.NewFailure(&TimeoutError{Addr: addr, Timeout: timeout}))
		// And close the connection: its end, when it comes, finds the
		// download decided.
		if t := connector.Transport(); t != nil {
			t.LoseConnection()
		} else {
			connector.StopConnecting()
		}
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

	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-1:", err)
		os.Exit(1)
	}

	var poems []string
	var errs []*deferred.Failure
	done := func() {
		if len(poems)+len(errs) == len(addrs) {
			r.Stop()
		}
	}
	gotPoem := func(poem string) {
		poems = append(poems, poem)
		done()
	}
	poemFailed := func(err *deferred.Failure) {
		fmt.Fprintf(os.Stderr, "Poem failed: %+v\n", err)
		errs = append(errs, err)
		done()
	}
	for _, addr := range addrs {
		getPoetry(r, addr.String(), limit, gotPoem, poemFailed)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-1:", err)
		os.Exit(1)
	}

	for _, poem := range poems {
		fmt.Println(poem)
	}
}
