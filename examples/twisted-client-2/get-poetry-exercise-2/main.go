// Command get-poetry-exercise-2 answers the second exercise of part 5 of
// Dave Peticolas's Twisted tutorial: like get-poetry-stack, but print the
// stack in ConnectionLost instead of DataReceived, to see which calls lead
// there when a poem ends.
//
//	go run ./examples/twisted-client-2/get-poetry-exercise-2 [hostname]:port ...
//
// The downloads go as in client 2.0 (../get-poetry), a "got" line per
// piece of poem; when the first connection ends, ConnectionLost prints the
// goroutine's stack on stderr and the program exits, with status 0, as
// get-poetry-stack does at the first piece. Read from the bottom up, for a
// server that closes the connection at the end of its poem:
//
//	main.(*PoetryProtocol).ConnectionLost   our code, at the top
//	gyre/reactor.(*Reactor).callProtocolLost
//	gyre/reactor.(*Conn).notifyLost
//	gyre/reactor.(*Conn).ConnectionLost     the connection tells its protocol...
//	gyre/reactor.(*Reactor).callLost        ...when the reactor drops it...
//	gyre/reactor.(*Reactor).disconnect      ...because its read met the end
//	gyre/reactor.(*Reactor).dispatch        one wake-up's ready descriptors
//	gyre/reactor.(*Reactor).iterate         one turn of the loop
//	gyre/reactor.(*Reactor).Run             the loop
//	main.main                               which started it
//
// It is the same loop that calls DataReceived: the end of a poem is one
// more event the reactor reads from a socket, and hands to the transport,
// which hands it to the protocol. Everything else is get-poetry-stack's.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, Twisted version 2.0, with a
stacktrace when a connection is lost.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-2/get-poetry-exercise-2 10001 10002 10003

But it's just going to print out a stacktrace as soon as it
gets the first bits of a poem.
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

// ConnectionLost shows who called it, and ends the program on the spot, as
// get-poetry-stack's DataReceived does: nothing else runs, the other
// downloads are abandoned. What follows is client 2.0's, never reached.
func (p *PoetryProtocol) ConnectionLost(reason error) {
	debug.PrintStack()
	os.Exit(0)
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
}

// NewPoetryClientFactory returns the factory for poetryCount downloads.
func NewPoetryClientFactory(r *reactor.Reactor, poetryCount int) *PoetryClientFactory {
	f := &PoetryClientFactory{reactor: r, nextTask: 1, poetryCount: poetryCount}
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
	}
}

func main() {
	p := optparse.New("get-poetry-exercise-2", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-2:", err)
		os.Exit(1)
	}

	start := time.Now()
	factory := NewPoetryClientFactory(r, len(addrs))
	for _, addr := range addrs {
		// The reactor connects; the factory hears how it went.
		r.ConnectTCP(addr.String(), factory, reactor.DefaultConnectTimeout)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-2:", err)
		os.Exit(1)
	}
	elapsed := time.Since(start)

	fmt.Printf("Got %d poems in %s\n", len(addrs), poetry.FormatElapsed(elapsed))
}
