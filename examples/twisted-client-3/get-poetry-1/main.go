// Command get-poetry-1 is the tutorial's Twisted client 3.1
// (twisted-client-3/get-poetry-1.py in part 6 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor.
//
//	go run ./examples/twisted-client-3/get-poetry-1 [hostname]:port ...
//
// # A second function, for failures
//
// Client 3.0's getPoetry took one callback, for the poem, and so had no
// way to report a failure: its factory could only give up on the whole
// program. This version takes two functions,
//
//	getPoetry(r, addr, callback, errback)
//
// and calls exactly one of them: callback with the poem, or errback with
// the reason it could not be had. The factory hands ClientConnectionFailed's
// reason to the errback, and so does the protocol when the connection is
// lost before the end of the poem. Now the code that meets an error
// (the factory) reports it, and the code that asked for the poem (main)
// decides what to do: here it prints the failure, counts the download as
// done, and goes on with the others.
//
// The reason reaches the errback as a *deferred.Failure, Twisted's Failure:
// an error together with where it was caught. Printed with %+v it reads as
// Python's str(failure) does. It is the form the next client's Deferreds
// carry failures in; this client only builds one by hand.
//
// # Output
//
// As the original's: when every download is over, the poems, each
// followed by an empty line, in the order they finished; and, for each
// download that failed, at once, on stderr,
//
//	Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: Connection was refused by other side: 111: Connection refused.
//	]
//
// which is the original's line with the Go type of the error where Python
// shows the class (<class 'twisted.internet.error.ConnectionRefusedError'>).
// The "]" on a line of its own is the original's too.
//
// Where this client departs from the original: a connection lost uncleanly
// (a reset) goes to the errback instead of passing for a complete poem. As
// the original, it exits with status 0 when a download failed: it printed
// the failure and finished normally.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"

	"gyre/deferred"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 3.1
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-3/get-poetry-1 10001 10002 10003

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
		p.factory().errback(deferred.NewFailure(reason))
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
	f.callback(poem)
}

// ClientConnectionFailed hands the reason to the errback, as a Failure
// (Twisted gives the factory one; gyre gives an error, wrapped here).
func (f *PoetryClientFactory) ClientConnectionFailed(_ *reactor.Connector, reason error) {
	f.errback(deferred.NewFailure(reason))
}

// getPoetry downloads a poem from addr ("host:port") and, later, calls
// callback with it or errback with the reason it failed. It returns at
// once.
func getPoetry(r *reactor.Reactor, addr string, callback func(string), errback func(*deferred.Failure)) {
	r.ConnectTCP(addr, NewPoetryClientFactory(callback, errback), reactor.DefaultConnectTimeout)
}

func main() {
	p := optparse.New("get-poetry-1", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-1:", err)
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
		getPoetry(r, addr.String(), gotPoem, poemFailed)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-1:", err)
		os.Exit(1)
	}

	for _, poem := range poems {
		fmt.Println(poem)
	}
}
