// Command get-poetry-simple is the tutorial's Twisted client 2.1
// (twisted-client-2/get-poetry-simple.py in part 5 of Dave Peticolas's
// Twisted tutorial): client 2.0 with everything but the poetry taken out.
//
//	go run ./examples/twisted-client-2/get-poetry-simple [hostname]:port ...
//
// # Less is more
//
// Client 2.0 printed a line for every piece of poem and a report at the
// end. This version keeps only what a user wants: the poems. The protocol
// collects the bytes of its poem and, when the connection ends, hands the
// whole poem to the factory; the factory keeps the poems in the order they
// finish and stops the reactor when the last one is in; main prints them.
// Protocol and factory are otherwise the same as 2.0's, and so is the
// division of labour: the reactor connects and reads, the protocol
// understands the bytes, the factory looks after the whole job.
//
// The protocol keeps no task number and prints nothing: all the
// "presentation" now happens once, in main, after the reactor has
// stopped. That is the first step towards the next clients, where the
// code that downloads a poem knows nothing about what is done with it.
//
// # Output
//
// As the original's: each poem followed by an empty line (Python's print
// adds a newline to a poem that already ends with one), in the order they
// finished. A connection that cannot be made prints, at once and on stdout,
//
//	Failed to connect to: IPv4Address(type='TCP', host='127.0.0.1', port=10009)
//
// Where this client departs from the original: a connection lost
// uncleanly (reset, or interrupted by Ctrl-C) is reported in one line on
// stderr, "Failed to get poetry from PEER: REASON", instead of being taken
// for a complete poem. As the original, it exits with status 0 even when a
// download failed: the failure was printed, and the program ended normally.
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

This is the Get Poetry Now! client, Twisted version 2.1.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-2/get-poetry-simple 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// PoetryProtocol collects one poem and gives it to the factory at the end.
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
		fmt.Fprintf(os.Stderr, "Failed to get poetry from %s: %v\n", reactor.AddressRepr(p.Transport.Peer()), reason)
		p.factory().poemFailed()
		return
	}
	p.poemReceived()
}

func (p *PoetryProtocol) poemReceived() {
	p.factory().poemFinished(p.poem)
}

// factory is the factory that built the protocol (BaseProtocol keeps it
// as a reactor.Factory).
func (p *PoetryProtocol) factory() *PoetryClientFactory {
	return p.Factory.(*PoetryClientFactory)
}

// PoetryClientFactory builds a protocol per connection and collects their
// poems; when every download is over it stops the reactor.
type PoetryClientFactory struct {
	reactor.BaseClientFactory
	reactor     *reactor.Reactor
	poetryCount int // downloads not finished yet
	poems       [][]byte
	failed      bool
}

// NewPoetryClientFactory returns the factory for poetryCount downloads.
func NewPoetryClientFactory(r *reactor.Reactor, poetryCount int) *PoetryClientFactory {
	f := &PoetryClientFactory{reactor: r, poetryCount: poetryCount}
	f.Protocol = func() reactor.Protocol { return new(PoetryProtocol) }
	return f
}

// BuildProtocol builds through BaseFactory with this factory as the
// protocol's Factory (BaseFactory's own BuildProtocol would hand it the
// embedded BaseFactory, which knows nothing of poems).
func (f *PoetryClientFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
	return f.BuildProtocolFor(f, addr)
}

// ClientConnectionFailed: that download is over, without a poem.
func (f *PoetryClientFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	fmt.Println("Failed to connect to:", reactor.AddressRepr(c.Destination()))
	f.poemFailed()
}

func (f *PoetryClientFactory) poemFinished(poem []byte) {
	f.poems = append(f.poems, poem)
	f.downloadDone()
}

func (f *PoetryClientFactory) poemFailed() {
	f.failed = true
	f.downloadDone()
}

func (f *PoetryClientFactory) downloadDone() {
	f.poetryCount--
	if f.poetryCount == 0 {
		f.reactor.Stop()
	}
}

func main() {
	p := optparse.New("get-poetry-simple", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-simple:", err)
		os.Exit(1)
	}
	factory := NewPoetryClientFactory(r, len(addrs))
	for _, addr := range addrs {
		r.ConnectTCP(addr.String(), factory, reactor.DefaultConnectTimeout)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-simple:", err)
		os.Exit(1)
	}

	for _, poem := range factory.poems {
		fmt.Printf("%s\n", poem)
	}
}
