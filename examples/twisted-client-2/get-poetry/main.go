// Command get-poetry is the tutorial's Twisted client 2.0
// (twisted-client-2/get-poetry.py in part 5 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor.
//
//	go run ./examples/twisted-client-2/get-poetry [--print] [hostname]:port ...
//
// # From descriptors to protocols
//
// Client 1.0 made its own sockets, connected them, read them, coped with
// EAGAIN and noticed the end of file; the reactor only said when. This
// client keeps none of that. It asks the reactor for a connection
// (ConnectTCP) and hands it a factory; the reactor does the socket work and
// talks to the program in terms of the connection's life:
//
//   - PoetryClientFactory is a reactor.ClientFactory. The reactor asks it for
//     a Protocol when a connection is made (BuildProtocol), and tells it when
//     an attempt failed (ClientConnectionFailed). One factory serves every
//     connection: it numbers the protocols as it builds them, so a task
//     number says in which order the connections came up, and it counts the
//     poems still to come.
//   - PoetryProtocol is a reactor.Protocol, one per connection. DataReceived
//     is called with each piece of the poem that arrives and ConnectionLost
//     once at the end, which in the poetry protocol is the end of the poem.
//     Its Transport (the connection) tells it who the peer is.
//   - reactor.BaseClientFactory and reactor.BaseProtocol, embedded, do
//     nothing for the events this program does not care about, as
//     Twisted's ClientFactory and Protocol classes do. BaseFactory.Protocol
//     says which protocol to build (Twisted's protocol class attribute).
//
// Nothing here is a file descriptor any more: the protocol sees bytes and
// events, the transport does the rest. That separation is what lets the
// same protocol run over TCP, TLS or a test's fake transport.
//
// # Output
//
// As the original's: one line per piece of poem received, with the peer
// printed the way Twisted prints an address, then, when every poem is in,
// one line per poem in the order they FINISHED, and the total:
//
//	Task 1: got 30 bytes of poetry from IPv4Address(type='TCP', host='127.0.0.1', port=10001)
//	Task 2: got 10 bytes of poetry from IPv4Address(type='TCP', host='127.0.0.1', port=10002)
//	...
//	Task 2: 615 characters of poetry
//	Task 1: 3003 characters of poetry
//	Got 2 poems in 0:00:01.101811
//
// A connection that cannot be made prints, on stdout as in the original,
//
//	Failed to connect to: IPv4Address(type='TCP', host='127.0.0.1', port=10009)
//
// and counts as finished; "Got N poems" counts every address given, failed
// or not, as the original does ("Got 1 poems" even when that one failed).
//
// Where this client departs from the original:
//
//   - The original takes any end of the connection for the end of the poem.
//     This one checks the reason: a connection lost uncleanly (reset,
//     interrupted by Ctrl-C) gets one line on stderr, "Task N: failed to get
//     poetry from PEER: REASON", and no line in the report.
//   - --print prints each poem after its report line.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
	"unicode/utf8"

	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 2.0.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-2/get-poetry 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// PoetryProtocol receives one poem. The reactor builds it through the
// factory when the connection is made, and calls DataReceived for every
// read and ConnectionLost at the end.
type PoetryProtocol struct {
	reactor.BaseProtocol // keeps the Transport and the Factory
	task                 int
	poem                 []byte
}

// DataReceived keeps the new piece of the poem (data is only lent for the
// call, so it is copied) and says where it came from.
func (p *PoetryProtocol) DataReceived(data []byte) {
	p.poem = append(p.poem, data...)
	fmt.Printf("Task %d: got %d bytes of poetry from %s\n",
		p.task, len(data), reactor.AddressRepr(p.Transport.Peer()))
}

// ConnectionLost is the end of the poem, if the server closed the
// connection cleanly; any other end means the poem may be cut short.
func (p *PoetryProtocol) ConnectionLost(reason error) {
	if !errors.Is(reason, reactor.ErrConnectionDone) {
		fmt.Fprintf(os.Stderr, "Task %d: failed to get poetry from %s: %v\n",
			p.task, reactor.AddressRepr(p.Transport.Peer()), reason)
		p.factory().poemFailed()
		return
	}
	p.poemReceived()
}

// poemReceived hands the finished poem to the factory.
func (p *PoetryProtocol) poemReceived() {
	p.factory().poemFinished(p.task, p.poem)
}

// factory is the factory that built the protocol (BaseProtocol keeps it
// as a reactor.Factory).
func (p *PoetryProtocol) factory() *PoetryClientFactory {
	return p.Factory.(*PoetryClientFactory)
}

// finished is one poem of the report.
type finished struct {
	task int
	poem []byte
}

// PoetryClientFactory makes the protocol of every connection and keeps
// the score: the poems in the order they finish, and how many are still
// to come. When none is left it prints the report and stops the reactor.
type PoetryClientFactory struct {
	reactor.BaseClientFactory
	reactor     *reactor.Reactor
	nextTask    int
	poetryCount int // downloads not finished yet
	poems       []finished
	failed      bool
	printPoems  bool
}

// NewPoetryClientFactory returns the factory for poetryCount downloads.
func NewPoetryClientFactory(r *reactor.Reactor, poetryCount int, printPoems bool) *PoetryClientFactory {
	f := &PoetryClientFactory{reactor: r, nextTask: 1, poetryCount: poetryCount, printPoems: printPoems}
	// The protocol to build for each connection, as Twisted's
	// "protocol = PoetryProtocol".
	f.Protocol = func() reactor.Protocol { return new(PoetryProtocol) }
	return f
}

// BuildProtocol builds the protocol the usual way (BaseFactory, which also
// hands it this factory) and gives it the next task number, so tasks are
// numbered in the order the connections are made.
func (f *PoetryClientFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
	p := f.BuildProtocolFor(f, addr).(*PoetryProtocol)
	p.task = f.nextTask
	f.nextTask++
	return p
}

// ClientConnectionFailed is called by the reactor when a connection cannot
// be made. That download is over too.
func (f *PoetryClientFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	fmt.Println("Failed to connect to:", reactor.AddressRepr(c.Destination()))
	f.poemFailed()
}

// poemFinished records a complete poem.
func (f *PoetryClientFactory) poemFinished(task int, poem []byte) {
	f.poems = append(f.poems, finished{task, poem})
	f.downloadDone()
}

// poemFailed records a download that gave no poem.
func (f *PoetryClientFactory) poemFailed() {
	f.failed = true
	f.downloadDone()
}

// downloadDone counts a download as over, whatever its outcome; after the
// last one it reports and stops the reactor, which makes Run return.
func (f *PoetryClientFactory) downloadDone() {
	f.poetryCount--
	if f.poetryCount == 0 {
		f.report()
		f.reactor.Stop() // ErrNotRunning if Ctrl-C is stopping it already: fine
	}
}

// report prints one line per poem, in the order they finished.
func (f *PoetryClientFactory) report() {
	for _, p := range f.poems {
		fmt.Printf("Task %d: %d characters of poetry\n", p.task, utf8.RuneCount(p.poem))
		if f.printPoems {
			os.Stdout.Write(p.poem)
			if len(p.poem) > 0 && p.poem[len(p.poem)-1] != '\n' {
				fmt.Println()
			}
		}
	}
}

func main() {
	p := optparse.New("get-poetry", usage)
	printPoems := p.Bool("--print", "Print the poems, not only their sizes.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}

	// Signal handling makes Ctrl-C stop the reactor, as Twisted's
	// reactor.run() does.
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}

	start := time.Now()
	factory := NewPoetryClientFactory(r, len(addrs), *printPoems)
	for _, addr := range addrs {
		// The reactor connects; the factory hears how it went.
		r.ConnectTCP(addr.String(), factory, reactor.DefaultConnectTimeout)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
		os.Exit(1)
	}
	elapsed := time.Since(start)

	fmt.Printf("Got %d poems in %s\n", len(addrs), poetry.FormatElapsed(elapsed))
}
