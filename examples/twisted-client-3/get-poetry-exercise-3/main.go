// Command get-poetry-exercise-3 answers the third exercise of part 6 of
// Dave Peticolas's Twisted tutorial: show with prints that
// ClientConnectionFailed, and so the errback, runs after getPoetry has
// returned, even for a connection refused at once.
//
//	go run ./examples/twisted-client-3/get-poetry-exercise-3 [hostname]:port ...
//
// Client 3.1 (../get-poetry-1) with a line on stdout at each step:
//
//	getPoetry(127.0.0.1:10009): calling ConnectTCP
//	getPoetry(127.0.0.1:10009): returning
//	main: every getPoetry has returned; running the reactor
//	ClientConnectionFailed(127.0.0.1:10009): calling the errback
//
// and then client 3.1's output ("Poem failed: ..." on stderr, the poems).
// ConnectTCP only starts connecting: even when the refusal is certain, the
// reactor learns of it in its loop, which is not running while getPoetry
// and main are. So the caller of getPoetry always gets control back before
// either of its functions is called, whatever happens to the connection:
// the order above never changes.
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

This is the Get Poetry Now! client, Twisted version 3.1,
saying when each of its functions runs.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-3/get-poetry-exercise-3 10001 10002 10003

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
func (f *PoetryClientFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	fmt.Printf("ClientConnectionFailed(%s): calling the errback\n", c.Destination())
	f.errback(deferred.NewFailure(reason))
}

// getPoetry downloads a poem from addr ("host:port") and, later, calls
// callback with it or errback with the reason it failed. It returns at
// once.
func getPoetry(r *reactor.Reactor, addr string, callback func(string), errback func(*deferred.Failure)) {
	fmt.Printf("getPoetry(%s): calling ConnectTCP\n", addr)
	r.ConnectTCP(addr, NewPoetryClientFactory(callback, errback), reactor.DefaultConnectTimeout)
	fmt.Printf("getPoetry(%s): returning\n", addr)
}

func main() {
	p := optparse.New("get-poetry-exercise-3", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-3:", err)
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
	fmt.Println("main: every getPoetry has returned; running the reactor")
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-3:", err)
		os.Exit(1)
	}

	for _, poem := range poems {
		fmt.Println(poem)
	}
}
