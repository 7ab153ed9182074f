// Command fastpoetry is the tutorial's first Twisted poetry server
// (twisted-server-1/fastpoetry.py in part 11 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor.
//
//	go run ./examples/twisted-server-1/fastpoetry [--port P] [--iface I] POEM-FILE
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
// # What it takes
//
// Exactly the original's command line: one poetry file, --port (a port the
// system chooses unless given) and --iface (localhost unless given). The
// exercises of part 11 that change it are programs of their own beside it:
// fastpoetry-exercise-2 (the same server on the reactor's low-level API),
// fastpoetry-exercise-3 (a slow server, with --num-bytes and --delay) and
// fastpoetry-exercise-4 (several poems, each on its own port). The first
// exercise, a poetry server without the reactor, is examples/async-server.
//
// A poem larger than 1 MiB is not read into memory: it is streamed from the
// file to each client with flow control (poetry.FileServerFactory,
// sendfile(2) on Linux). A client sees no difference.
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
// does: "Provide exactly one poetry file.", "No such file: PATH" and
// "no such option: --delay" are the original's words; gyre adds "Cannot
// read PATH: REASON", "Not a file (a directory): PATH", "Empty poetry
// file: PATH" and a --port that is not a port number, which the original
// finds only when a client comes or when it listens. A port that cannot be
// listened on is one line with Twisted's message and exit status 1:
//
//	fastpoetry: Couldn't listen on localhost:10000: [Errno 98] Address already in use.
//
// (The original prints that line at the end of a traceback.)
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"gyre/examples/internal/servercli"
	"gyre/internal/optparse"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] poetry-file

This is the Fast Poetry Server, Twisted edition.
Run it like this:

  go run . <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-server-1/fastpoetry poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.
` + servercli.PoemsNote

// bigPoem is the size above which a poem is streamed from its file rather
// than read into memory.
const bigPoem = 1 << 20

// options are the command line, checked.
type options struct {
	poem  servercli.Poem
	port  int // 0 lets the system choose
	iface string
}

// parseArgs reads the command line: the original's options, one poetry
// file, checked (servercli).
func parseArgs() options {
	p := optparse.New("fastpoetry", usage)
	port, iface := servercli.ListenOptions(p)
	args := p.Parse(os.Args[1:])
	if len(args) != 1 {
		p.Error("Provide exactly one poetry file.")
	}
	servercli.CheckPort(p, *port)
	pm, err := servercli.LoadPoem(args[0], bigPoem)
	if err != nil {
		p.Error(err.Error())
	}
	return options{poem: pm, port: *port, iface: *iface}
}

// factory returns the factory that serves the poem: its protocol is what
// each client's connection runs.
func (opts options) factory() (reactor.Factory, error) {
	if opts.poem.File != nil {
		return poetry.NewFileServerFactory(opts.poem.File)
	}
	return poetry.NewFastServerFactory(opts.poem.Data), nil
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
	factory, err := opts.factory()
	if err != nil {
		fail(err)
	}
	port, err := r.ListenTCP(net.JoinHostPort(opts.iface, strconv.Itoa(opts.port)), factory)
	if err != nil {
		fail(err) // Twisted's "Couldn't listen on ..." message
	}
	// Clients may connect from now on; they wait in the listen queue
	// until Run.
	fmt.Printf("Serving %s on %s.\n", opts.poem.Path, reactor.AddressRepr(port.Addr()))
	if err := r.Run(); err != nil {
		fail(err)
	}
}

// fail reports an error that stops the server, in one line, and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "fastpoetry:", err)
	os.Exit(1)
}
