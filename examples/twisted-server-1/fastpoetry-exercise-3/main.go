// Command fastpoetry-exercise-3 answers the third exercise of part 11 of
// Dave Peticolas's Twisted tutorial: make the Twisted poetry server
// (../fastpoetry) slow, with the reactor's timers, so that it serves like
// the blocking slow server of part 2 (--num-bytes characters every --delay
// seconds) but to every client at once.
//
//	go run ./examples/twisted-server-1/fastpoetry-exercise-3 [--port P] [--iface I] [--num-bytes N] [--delay S] POEM-FILE
//	go run ./examples/twisted-server-1/fastpoetry-exercise-3 --num-bytes 30 --delay 0.1 poetry/poems/library.txt
//
// # One LoopingCall per client
//
// The blocking server sleeps between two sends, and while it sleeps nobody
// else is served. A reactor program may never sleep; it asks the reactor
// to call it back later instead. Here each client's protocol owns a
// task.LoopingCall (Twisted's LoopingCall, built on CallLater): started in
// ConnectionMade, it writes the next --num-bytes characters of the poem
// every --delay, the first at once. After the last piece it waits one more
// delay, as the blocking server does, and loses the connection; stopping
// the loop fires the Deferred that Start returned, which is where the
// closing is done.
//
// A client that leaves before the end must not keep a timer ticking for
// nobody: ConnectionLost stops the loop. It is called however the
// connection ends (the client hung up, a reset, the server shutting down),
// so that is the one place where the loop needs stopping. A client that
// only shuts its sending side has not left: ReadConnectionLost keeps it
// served.
//
// gyre's own slow server (poetry.SlowServerFactory, behind gyre serve
// --slow) does the same job with one timer for all its clients; this
// program keeps to what the exercise asks for.
//
// # Output and errors
//
// The fast server's, with the slow server's options and checks (the
// options of blocking-server and async-server): "Serving FILE on
// IPv4Address(...)." once listening; the usage and one line, exit status
// 2, for bad arguments; Ctrl-C or SIGTERM stop it, exit status 0.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"gyre/deferred"
	"gyre/examples/internal/servercli"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
	"gyre/task"
)

const usage = `usage: %prog [options] poetry-file

This is the Slow Poetry Server, Twisted edition: the Fast Poetry
Server of part 11, made slow with a LoopingCall per client.
Run it like this:

  go run . <path-to-poetry-file>

From the base directory of gyre, you could run it like this:

  go run ./examples/twisted-server-1/fastpoetry-exercise-3 --num-bytes 30 --delay 0.1 poetry/poems/library.txt

to serve up the Library, thirty characters every tenth of a second.
`

// SlowPoetryProtocol sends its factory's poem to one client, a few
// characters at a time.
type SlowPoetryProtocol struct {
	reactor.BaseProtocol
	rest []byte            // what is still to be sent
	loop *task.LoopingCall // nil until the connection is made
}

// ConnectionMade starts the loop: the first piece now, then one piece
// every delay.
func (p *SlowPoetryProtocol) ConnectionMade() {
	f := p.Factory.(*SlowPoetryFactory)
	p.rest = f.poem
	p.loop = task.NewLoopingCall(f.clock, func() error {
		p.sendNext(f.numBytes)
		return nil
	})
	done := p.loop.Start(f.delay, true)
	// The loop stops when the poem has been sent (sendNext) or the
	// client has gone (ConnectionLost); only the first deserves a clean
	// close, after which LoseConnection does nothing.
	done.AddCallback(func(any) (any, error) {
		if len(p.rest) == 0 {
			p.Transport.LoseConnection()
		}
		return nil, nil
	})
	done.AddErrback(func(f *deferred.Failure) (any, error) {
		// The loop's function never fails; if it ever did, the poem
		// would be cut short: abort, so that the client sees a reset.
		p.Transport.AbortConnection()
		return nil, nil
	})
}

// sendNext writes the next piece, or, one delay after the last piece,
// stops the loop.
func (p *SlowPoetryProtocol) sendNext(numBytes int) {
	if len(p.rest) == 0 {
		p.loop.Stop()
		return
	}
	n := poetry.ChunkLen(p.rest, numBytes)
	p.Transport.Write(p.rest[:n])
	p.rest = p.rest[n:]
}

// DataReceived ignores what a client sends: it has nothing to say.
func (p *SlowPoetryProtocol) DataReceived([]byte) {}

// ReadConnectionLost keeps the poem going for a client that shuts only its
// sending side (shutdown(SHUT_WR), as nc -N does): it has stopped talking,
// not listening. Without it the reactor would end the connection there,
// and the client would take the part it had for the whole poem.
func (p *SlowPoetryProtocol) ReadConnectionLost() {}

// ConnectionLost stops the loop if the client left before the end.
func (p *SlowPoetryProtocol) ConnectionLost(error) {
	if p.loop != nil && p.loop.Running() {
		p.loop.Stop()
	}
}

// SlowPoetryFactory holds the poem and the pace for every client.
type SlowPoetryFactory struct {
	reactor.BaseFactory
	clock    reactor.Clock
	poem     []byte
	numBytes int
	delay    time.Duration
}

// NewSlowPoetryFactory returns a factory serving poem numBytes characters
// every delay, timed by clock.
func NewSlowPoetryFactory(clock reactor.Clock, poem []byte, numBytes int, delay time.Duration) *SlowPoetryFactory {
	f := &SlowPoetryFactory{clock: clock, poem: poem, numBytes: numBytes, delay: delay}
	f.Protocol = func() reactor.Protocol { return new(SlowPoetryProtocol) }
	return f
}

// BuildProtocol builds through BaseFactory, making this factory the
// protocol's Factory.
func (f *SlowPoetryFactory) BuildProtocol(addr net.Addr) reactor.Protocol {
	return f.BuildProtocolFor(f, addr)
}

func main() {
	opts := servercli.ParseSlow(optparse.New("fastpoetry-exercise-3", usage), os.Args[1:])

	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	factory := NewSlowPoetryFactory(r, opts.Poem.Data, opts.NumBytes, opts.Delay)
	port, err := r.ListenTCP(net.JoinHostPort(opts.Iface, strconv.Itoa(opts.Port)), factory)
	if err != nil {
		fail(err)
	}
	fmt.Printf("Serving %s on %s.\n", opts.Poem.Path, reactor.AddressRepr(port.Addr()))
	if err := r.Run(); err != nil {
		fail(err)
	}
}

// fail reports an error that stops the server, in one line, and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "fastpoetry-exercise-3:", err)
	os.Exit(1)
}
