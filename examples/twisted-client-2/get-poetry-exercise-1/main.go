// Command get-poetry-exercise-1 answers the first exercise of part 5 of
// Dave Peticolas's Twisted tutorial: give client 2.0 (../get-poetry) a
// timeout that closes the connection with LoseConnection, and is cancelled
// when the poem is in on time.
//
//	go run ./examples/twisted-client-2/get-poetry-exercise-1 [--timeout SECONDS] [--print] [hostname]:port ...
//
// With --timeout, each protocol starts a timer in ConnectionMade, with the
// reactor's CallLater, and keeps the *reactor.DelayedCall it returns. If
// the poem ends first, ConnectionLost cancels it. If the timer fires first,
// the protocol notes that it gave up and asks its transport to
// LoseConnection: the connection closes cleanly, from our side, and the
// reactor calls ConnectionLost with a clean reason. That clean end is not
// the end of a poem, and the note is how ConnectionLost tells the two
// apart; the download is reported as failed,
//
//	Task 1: failed to get poetry from IPv4Address(type='TCP', host='127.0.0.1', port=10001): timed out after 2s
//
// on stderr, gets no line in the report, and still counts in "Got N
// poems", as every address does in client 2.0. Everything else is client
// 2.0's, the exit status 0 included.
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

This is the Get Poetry Now! client, Twisted version 2.0,
with a timeout.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-2/get-poetry-exercise-1 10001 10002 10003

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
	timer                *reactor.DelayedCall // the timeout, if there is one
	timedOut             bool                 // the timer fired: the close is ours
}

// ConnectionMade starts the timer, if there is a timeout.
func (p *PoetryProtocol) ConnectionMade() {
	f := p.factory()
	if f.timeout <= 0 {
		return
	}
	p.timer = f.reactor.CallLater(f.timeout, func() {
		p.timedOut = true
		p.Transport.LoseConnection()
	})
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
	if p.timer != nil && p.timer.Active() {
		p.timer.Cancel() // the poem ended in time (or broke): no timeout
	}
	if p.timedOut {
		reason = fmt.Errorf("timed out after %v", p.factory().timeout)
	}
	if p.timedOut || !errors.Is(reason, reactor.ErrConnectionDone) {
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
	timeout     time.Duration // 0: none
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
	p := optparse.New("get-poetry-exercise-1", usage)
	printPoems := p.Bool("--print", "Print the poems, not only their sizes.")
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

	// Signal handling makes Ctrl-C stop the reactor, as Twisted's
	// reactor.run() does.
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-1:", err)
		os.Exit(1)
	}

	start := time.Now()
	factory := NewPoetryClientFactory(r, len(addrs), *printPoems)
	factory.timeout = limit
	for _, addr := range addrs {
		// The reactor connects; the factory hears how it went.
		r.ConnectTCP(addr.String(), factory, reactor.DefaultConnectTimeout)
	}
	if err := r.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-1:", err)
		os.Exit(1)
	}
	elapsed := time.Since(start)

	fmt.Printf("Got %d poems in %s\n", len(addrs), poetry.FormatElapsed(elapsed))
}
