// Command get-poetry is the tutorial's Twisted client 3.0
// (twisted-client-3/get-poetry.py in part 6 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor.
//
//	go run ./examples/twisted-client-3/get-poetry [hostname]:port ...
//
// # Getting poetry with a callback
//
// In client 2.1 the factory did the whole job: it collected every poem,
// counted them, and stopped the reactor; main only printed what it found
// in the factory afterwards. Downloading and using a poem were tangled.
//
// Client 3.0 pulls them apart with one function:
//
//	getPoetry(r, addr, callback)
//
// starts downloading one poem and returns at once; when the poem is
// complete, the callback is called with it. getPoetry knows nothing of
// what the poem is for, and the code that wants poems knows nothing of
// protocols and factories. The factory serves one download now: its
// protocol hands it the finished poem and the factory hands it to the
// callback. main collects the poems in its callback and stops the
// reactor when it has them all, then prints them.
//
// # What a callback cannot say
//
// A callback is only told about success. When a connection cannot be
// made, the factory hears about it (ClientConnectionFailed), but it has
// nobody to tell: there is no way to hand a failure back to the caller.
// The tutorial's factory does not even try, so its main waits forever for
// a poem that will never come (the reference run is stopped by a timeout).
//
// That is the lesson, so this client keeps the flaw: a refused connection
// prints nothing, and the program waits, for ever, for the poem that will
// not come, whatever happened to the other downloads (stop it with
// Ctrl-C, which stops the reactor; the poems that did come are printed).
// Client 3.1 fixes it by giving getPoetry a second function, an errback,
// for failures.
//
// One departure, from gyre's rule that a poem cut short is never passed
// off as a whole one: the original takes any end of the connection for the
// end of the poem, so a reset in the middle hands the callback half a
// poem. Here a reset is reported in one line on stderr,
//
//	get-poetry: lost the poem from 127.0.0.1:10001: Connection to the other side was lost in a non-clean fashion: Connection reset by peer.
//
// and, the callback having nothing to be called with, the program waits as
// it does for a refused connection.
//
// # Output
//
// As the original's: nothing while downloading; when the last poem is in,
// every poem, each followed by an empty line (Python's print adds a
// newline to text that already ends with one), in the order they finished.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"

	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 3.0
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-3/get-poetry 10001 10002 10003

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

// ConnectionLost: a clean close is the end of the poem; anything else
// cut it short.
func (p *PoetryProtocol) ConnectionLost(reason error) {
	if !errors.Is(reason, reactor.ErrConnectionDone) {
		p.factory().lost(p.Transport.Peer(), reason)
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

// PoetryClientFactory builds the protocol of one download and passes the
// poem on to the callback.
type PoetryClientFactory struct {
	reactor.BaseClientFactory
	callback func(poem string)
}

// NewPoetryClientFactory returns a factory that calls callback with the
// poem.
func NewPoetryClientFactory(callback func(poem string)) *PoetryClientFactory {
	f := &PoetryClientFactory{callback: callback}
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

// ClientConnectionFailed does nothing, as the original's factory: the
// callback cannot be told of a failure (see the package documentation), so
// the program waits for ever for this poem.
func (f *PoetryClientFactory) ClientConnectionFailed(*reactor.Connector, error) {}

// lost reports a poem cut short, which the callback cannot be given; as
// after a refused connection, the program then waits.
func (f *PoetryClientFactory) lost(addr net.Addr, reason error) {
	fmt.Fprintf(os.Stderr, "get-poetry: lost the poem from %s: %v\n", addr, reason)
}

// getPoetry downloads a poem from addr ("host:port") and calls callback
// with it, once it is complete. It returns at once.
func getPoetry(r *reactor.Reactor, addr string, callback func(poem string)) {
	r.ConnectTCP(addr, NewPoetryClientFactory(callback), reactor.DefaultConnectTimeout)
}

func main() {
	p := optparse.New("get-poetry", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}

	var poems []string
	gotPoem := func(poem string) {
		poems = append(poems, poem)
		if len(poems) == len(addrs) {
			r.Stop()
		}
	}
	for _, addr := range addrs {
		getPoetry(r, addr.String(), gotPoem)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}

	for _, poem := range poems {
		fmt.Println(poem)
	}
}
