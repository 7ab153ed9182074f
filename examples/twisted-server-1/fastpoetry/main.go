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
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"time"

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

// Defaults of the slow mode (the tutorial's slow server sends 10 bytes
// every 0.1 s).
const (
	defaultNumBytes = 10
	defaultDelay    = 0.1
)

// options are the command line, checked.
type options struct {
	poems    []poem
	port     int // the first poem's; 0 lets the system choose every port
	iface    string
	slow     bool
	numBytes int
	delay    time.Duration
}

// poem is a poetry file ready to serve: its bytes, or, for a big poem, the
// open file.
type poem struct {
	path string
	data []byte
	file *os.File
}

func parseArgs() options {
	p := optparse.New("fastpoetry", usage)
	port := p.Int("--port", 0, "The port to listen on. Default to a random available port.")
	iface := p.String("--iface", "localhost", "The interface to listen on. Default is localhost.")
	delay := p.Float("--delay", defaultDelay,
		"Serve slowly, with this many seconds between sends (0.1 unless given). Default is the whole poem at once.")
	numBytes := p.Int("--num-bytes", defaultNumBytes,
		"Serve slowly, this many bytes at a time (10 unless given). Default is the whole poem at once.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.Error("Provide at least one poetry file.")
	}
	if *port < 0 || *port > 65535 {
		p.Errorf("option --port: %d is not a port number (0 to 65535)", *port)
	}
	if last := *port + len(args) - 1; *port != 0 && last > 65535 {
		p.Errorf("option --port: %d poetry files from port %d need ports up to %d, past 65535", len(args), *port, last)
	}
	opts := options{port: *port, iface: *iface}
	opts.slow = p.Changed("--delay") || p.Changed("--num-bytes")
	if opts.slow {
		// NaN fails both comparisons, so it is caught too.
		if !(*delay >= 0 && *delay <= math.MaxInt64/float64(time.Second)) {
			p.Errorf("option --delay: the delay must be 0 or more seconds, not %v", *delay)
		}
		if *numBytes < 1 {
			p.Errorf("option --num-bytes: the server must send at least 1 byte at a time, not %d", *numBytes)
		}
		opts.delay = time.Duration(*delay * float64(time.Second))
		opts.numBytes = *numBytes
	}
	for _, path := range args {
		// A slow poem goes out a few bytes at a time from memory; only a
		// fast one can be streamed from its file.
		pm, msg := loadPoem(path, !opts.slow)
		if msg != "" {
			p.Error(msg)
		}
		opts.poems = append(opts.poems, pm)
	}
	return opts
}

// loadPoem checks a poetry file and reads it, or, if it is big and may be
// streamed, opens it; otherwise it says in one line why it cannot be
// served. Checking here means a bad file is reported before anything
// listens, not to the first client.
func loadPoem(path string, mayStream bool) (poem, string) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return poem{}, "No such file: " + path
	case err != nil:
		return poem{}, fmt.Sprintf("Cannot read %s: %s", path, reason(err))
	case fi.IsDir():
		return poem{}, "Not a file (a directory): " + path
	}
	if mayStream && fi.Size() > bigPoem {
		f, err := os.Open(path)
		if err != nil {
			return poem{}, fmt.Sprintf("Cannot read %s: %s", path, reason(err))
		}
		return poem{path: path, file: f}, ""
	}
	data, err := os.ReadFile(path)
	switch {
	case err != nil:
		return poem{}, fmt.Sprintf("Cannot read %s: %s", path, reason(err))
	case len(data) == 0:
		return poem{}, "Empty poetry file: " + path
	}
	return poem{path: path, data: data}, ""
}

// factory returns the factory that serves pm: its protocol is what each
// client's connection runs.
func (opts options) factory(r *reactor.Reactor, pm poem) (reactor.Factory, error) {
	switch {
	case opts.slow:
		return poetry.NewSlowServerFactory(r, pm.data, opts.numBytes, opts.delay), nil
	case pm.file != nil:
		return poetry.NewFileServerFactory(pm.file)
	default:
		return poetry.NewFastServerFactory(pm.data), nil
	}
}

func main() {
	opts := parseArgs()

	// Signal handling makes Ctrl-C and SIGTERM stop the reactor cleanly,
	// as Twisted's reactor.run() does.
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	for i, pm := range opts.poems {
		factory, err := opts.factory(r, pm)
		if err != nil {
			fail(err)
		}
		port := opts.port
		if port != 0 {
			port += i
		}
		listening, err := r.ListenTCP(net.JoinHostPort(opts.iface, strconv.Itoa(port)), factory)
		if err != nil {
			fail(err) // Twisted's "Couldn't listen on ..." message
		}
		// Said once the reactor runs, when Ctrl-C and SIGTERM are its to
		// handle: whoever reads the line may stop the server cleanly at
		// once. (Clients may connect from the moment ListenTCP returns;
		// they wait in the listen queue until Run.)
		r.CallWhenRunning(func() {
			fmt.Printf("Serving %s on %s.\n", pm.path, reactor.AddressRepr(listening.Addr()))
		})
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

// reason is the part of a file error worth a user's time: "permission
// denied" rather than "open poem.txt: permission denied".
func reason(err error) string {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}
