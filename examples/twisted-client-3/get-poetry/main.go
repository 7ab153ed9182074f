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
// A gyre program must never hang, so this factory does the only thing a
// callback-only design leaves open to it: it decides for the whole
// program. It prints one line on stderr,
//
//	get-poetry: failed to get poetry from 127.0.0.1:10009: Connection was refused by other side: 111: Connection refused.
//
// and exits with status 1, abandoning every other download, however well
// it was going. That is the problem, made visible: the code that meets the
// error is not the code that should decide what to do about it. Client
// 3.1 fixes it by giving getPoetry a second function, an errback, for
// failures. A connection lost before the end of the poem (a reset) is
// handled the same way; the original would take it for a complete poem.
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

// ConnectionLost: a clean close is the end of the poem.
func (p *PoetryProtocol) ConnectionLost(reason error) {
	if !errors.Is(reason, reactor.ErrConnectionDone) {
		p.factory().giveUp(p.Transport.Peer(), reason)
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

// ClientConnectionFailed: the callback cannot be told (see the package
// documentation), so the factory gives up on the whole program.
func (f *PoetryClientFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	f.giveUp(c.Destination(), reason)
}

// giveUp is what a callback-only design leaves: report and end the
// program, since there is no way to report to the caller. The original
// does nothing at all here, and waits forever.
func (f *PoetryClientFactory) giveUp(addr net.Addr, reason error) {
	fmt.Fprintf(os.Stderr, "get-poetry: failed to get poetry from %s: %v\n", addr, reason)
	os.Exit(1)
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
