// Command fastpoetry is the tutorial's first Twisted poetry server
// (twisted-server-1/fastpoetry.py in part 11 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor.
//
//	go run ./examples/twisted-server-1/fastpoetry [--port P] [--iface I] [--delay S] [--num-bytes N] POEM-FILE ...
//
// # A server is a factory too
//
// Until now the reactor has been used from the client side: ConnectTCP and
// a ClientFactory. A server is the same machinery the other way round.
// ListenTCP hands the reactor a port and a factory; for each client that
// connects, the reactor builds a protocol with the factory, gives it its
// transport, and calls its ConnectionMade. The poetry server's protocol
// needs nothing more: in ConnectionMade it writes the whole poem and loses
// the connection. LoseConnection is not an abrupt close: the transport
// sends whatever is still buffered first, then closes, and the end of the
// connection is how the client knows the poem is complete.
//
// That protocol and its factory are gyre's poetry.FastServerFactory, the
// tutorial's PoetryProtocol and PoetryFactory; this program reads the
// poem, listens, says where, and lets the reactor run. Every client is
// served at once, without a thread, because nothing in the protocol ever
// waits: the reactor accepts, writes and closes as the sockets allow.
//
// # The tutorial's exercises, as options
//
//   - Serving slowly: --delay and --num-bytes (either one) make the server
//     send --num-bytes characters (10 unless given) every --delay seconds
//     (0.1 unless given), as the blocking slow server does, but to every
//     client at once, with the reactor's timer instead of sleep. The
//     protocol and factory are poetry.SlowServerFactory; its timer stops
//     when the last client has gone, so a client that hangs up costs
//     nothing afterwards.
//   - Several poems, one process: give several poetry files, and each is
//     served on a port of its own, all by the one reactor. With --port P
//     they are on P, P+1, P+2 ...; without it (or with 0) each gets a port
//     chosen by the system. There is one "Serving" line per poem.
//   - Big files: a poem larger than 1 MiB is not read into memory; it is
//     streamed from the file to each client with flow control
//     (poetry.FileServerFactory, sendfile(2) on Linux).
//
// # Output
//
// One line per poem, as the original's, with the address printed the way
// Twisted prints it:
//
//	Serving poetry/ecstasy.txt on IPv4Address(type='TCP', host='127.0.0.1', port=10000).
//
// and nothing per client. Ctrl-C (SIGINT) or SIGTERM stops the reactor,
// and the program exits with status 0, as Twisted's does.
//
// # Errors
//
// Bad arguments print the usage and one line, and exit 2, as optparse
// does: "No such file: PATH" (the original's words), "Cannot read PATH:
// REASON", "Not a file (a directory): PATH", "Empty poetry file: PATH",
// and a --port that is not a port number. A port that cannot be listened
// on is one line with Twisted's message and exit status 1:
//
//	fastpoetry: Couldn't listen on localhost:10000: [Errno 98] Address already in use.
//
// (The original prints that line at the end of a traceback.) The other
// departures from the original: it takes several files (the original
// wants exactly one and says "Provide exactly one poetry file."; this one
// says "Provide at least one poetry file." when there is none), and it has
// the --delay and --num-bytes options, which the original refuses.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"gyre/examples/internal/servercli"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] poetry-file ...

This is the Fast Poetry Server, Twisted edition.
Run it like this:

  go run . <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-server-1/fastpoetry poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.

Give it several poetry files to serve each one on a port of its own:
from --port upwards, or on ports chosen by the system.
`

// bigPoem is the size above which a poem is streamed from its file rather
// than read into memory.
const bigPoem = 1 << 20

// options are the command line, checked.
type options struct {
	poems    []servercli.Poem
	port     int // the first poem's; 0 lets the system choose every port
	iface    string
	slow     bool
	numBytes int
	delay    time.Duration
}

// parseArgs reads the command line: the slow server's options and checks
// (servercli), several poetry files, and the slow mode only when asked for.
func parseArgs() options {
	p := optparse.New("fastpoetry", usage)
	port, iface := servercli.ListenOptions(p)
	delay := p.Float("--delay", servercli.DefaultDelay,
		"Serve slowly, with this many seconds between sends (0.1 unless given). Default is the whole poem at once.")
	numBytes := p.Int("--num-bytes", servercli.DefaultNumBytes,
		"Serve slowly, this many bytes at a time (10 unless given). Default is the whole poem at once.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.Error("Provide at least one poetry file.")
	}
	servercli.CheckPort(p, *port)
	if last := *port + len(args) - 1; *port != 0 && last > 65535 {
		p.Errorf("option --port: %d poetry files from port %d need ports up to %d, past 65535", len(args), *port, last)
	}
	opts := options{port: *port, iface: *iface}
	opts.slow = p.Changed("--delay") || p.Changed("--num-bytes")
	if opts.slow {
		opts.delay = servercli.Delay(p, *delay)
		servercli.CheckNumBytes(p, *numBytes)
		opts.numBytes = *numBytes
	}
	// A slow poem goes out a few bytes at a time from memory; only a fast
	// one can be streamed from its file.
	streamAbove := int64(bigPoem)
	if opts.slow {
		streamAbove = 0
	}
	for _, path := range args {
		pm, err := servercli.LoadPoem(path, streamAbove)
		if err != nil {
			p.Error(err.Error())
		}
		opts.poems = append(opts.poems, pm)
	}
	return opts
}

// factory returns the factory that serves pm: its protocol is what each
// client's connection runs.
func (opts options) factory(r *reactor.Reactor, pm servercli.Poem) (reactor.Factory, error) {
	switch {
	case opts.slow:
		return poetry.NewSlowServerFactory(r, pm.Data, opts.numBytes, opts.delay), nil
	case pm.File != nil:
		return poetry.NewFileServerFactory(pm.File)
	default:
		return poetry.NewFastServerFactory(pm.Data), nil
	}
}

func main() {
	opts := parseArgs()

	// Signal handling makes Ctrl-C and SIGTERM stop the reactor cleanly,
	// as Twisted's reactor.run() does. It holds from here on: a signal that
	// comes before Run stops the reactor as soon as it runs.
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	ports := make([]*reactor.Port, len(opts.poems))
	for i, pm := range opts.poems {
		factory, err := opts.factory(r, pm)
		if err != nil {
			fail(err)
		}
		port := opts.port
		if port != 0 {
			port += i
		}
		ports[i], err = r.ListenTCP(net.JoinHostPort(opts.iface, strconv.Itoa(port)), factory)
		if err != nil {
			fail(err) // Twisted's "Couldn't listen on ..." message
		}
	}
	// Said once every poem has its port, so that a port that cannot be
	// listened on is the only thing printed. Clients may connect from now
	// on; they wait in the listen queue until Run.
	for i, pm := range opts.poems {
		fmt.Printf("Serving %s on %s.\n", pm.Path, reactor.AddressRepr(ports[i].Addr()))
	}
	if err := r.Run(); err != nil {
		fail(err)
	}
}

// fail reports an error that stops the server, in one line, and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "fastpoetry:", err)
	os.Exit(1)
}
