// Command get-poetry-stack is the tutorial's Twisted client 2.0 with a
// stack trace (twisted-client-2/get-poetry-stack.py in part 5 of Dave
// Peticolas's Twisted tutorial): ../get-poetry with one change. As soon as
// the first bits of a poem arrive, DataReceived prints the goroutine's stack
// on stderr and the program exits, with status 0.
//
//	go run ./examples/twisted-client-2/get-poetry-stack [hostname]:port ...
//
// # Who calls DataReceived?
//
// Nobody in this program. Read from the bottom up, the stack shows the
// reactor's loop calling it:
//
//	main.(*PoetryProtocol).DataReceived     our code, at the top
//	gyre/reactor.(*Conn).DoRead             the connection read the socket...
//	gyre/reactor.(*Reactor).doRead          ...because the loop said it was readable
//	gyre/reactor.(*Reactor).dispatch        one wake-up's ready descriptors
//	gyre/reactor.(*Reactor).iterate         one turn of the loop
//	gyre/reactor.(*Reactor).Run             the loop
//	main.main                               which started it
//
// The protocol is a callback: the transport (a *reactor.Conn, which is
// also the descriptor the reactor watches) reads the socket and hands the
// bytes up. The Python original shows the same shape through Twisted's
// frames (reactor.run, mainLoop, doPoll, _doReadOrWrite, tcp doRead,
// _dataReceived, dataReceived). The stack is printed the Go way,
// innermost call first, with runtime/debug's two frames at the very top.
//
// Everything else is client 2.0's, without its --print option (the program
// never lives to print a poem): a connection that cannot be made prints
// "Failed to connect to: IPv4Address(...)", and if no data ever arrives
// the report and "Got N poems in ..." follow as in client 2.0, with exit
// status 0, as the original's.
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

This is the Get Poetry Now! client, Twisted version 2.0, with stacktrace.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-2/get-poetry-stack 10001 10002 10003

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

// DataReceived shows who called it, and ends the program on the spot (the
// original's os._exit(0): nothing else runs, the other downloads are
// abandoned).
func (p *PoetryProtocol) DataReceived(data []byte) {
	debug.PrintStack()
	os.Exit(0)
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
	p := optparse.New("get-poetry-stack", usage)
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
		fmt.Fprintln(os.Stderr, "get-poetry-stack:", err)
		os.Exit(1)
	}

	start := time.Now()
	factory := NewPoetryClientFactory(r, len(addrs))
	for _, addr := range addrs {
		// The reactor connects; the factory hears how it went.
		r.ConnectTCP(addr.String(), factory, reactor.DefaultConnectTimeout)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-stack:", err)
		os.Exit(1)
	}
	elapsed := time.Since(start)

	fmt.Printf("Got %d poems in %s\n", len(addrs), poetry.FormatElapsed(elapsed))
}
