// Command fastpoetry-exercise-4 answers the fourth exercise of part 11 of
// Dave Peticolas's Twisted tutorial: one Twisted poetry server
// (../fastpoetry) serving several poems, each on a port of its own.
//
//	go run ./examples/twisted-server-1/fastpoetry-exercise-4 [--port P] [--iface I] POEM-FILE ...
//	go run ./examples/twisted-server-1/fastpoetry-exercise-4 --port 10000 poetry/poems/library.txt poetry/poems/orchard.txt poetry/poems/night-bus.txt
//
// # One reactor, several ports
//
// Nothing in the reactor ties it to one port: ListenTCP may be called as
// often as there are poems, each time with the factory of that poem, and
// the one loop serves every port's clients as they come. The poems are
// checked first, all of them, then the ports opened, and only when every
// port is open is anything printed: "Serving FILE on IPv4Address(...)."
// for each poem, in the order given. With --port P the poems are on P,
// P+1, P+2...; without it (or with 0) each gets a port the system chooses.
//
// Bad arguments print the usage and one line, exit status 2; a port that
// cannot be listened on is one line with Twisted's message, exit status 1.
// Ctrl-C or SIGTERM stops the reactor and the program exits with status 0.
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

const usage = `usage: %prog [options] poetry-file ...

This is the Fast Poetry Server, Twisted edition, serving several
poems, each on a port of its own: from --port upwards, or on ports
chosen by the system.
Run it like this:

  go run . <path-to-poetry-file> ...

From the base directory of gyre, you could run it like this:

  go run ./examples/twisted-server-1/fastpoetry-exercise-4 --port 10000 poetry/poems/library.txt poetry/poems/orchard.txt poetry/poems/night-bus.txt

to serve gyre's three poems on ports 10000, 10001 and 10002.
`

// bigPoem is the size above which a poem is streamed from its file rather
// than read into memory, as ../fastpoetry does.
const bigPoem = 1 << 20

// options are the command line, checked.
type options struct {
	poems []servercli.Poem
	port  int // the first poem's; 0 lets the system choose every port
	iface string
}

func parseArgs() options {
	p := optparse.New("fastpoetry-exercise-4", usage)
	port, iface := servercli.ListenOptions(p)
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.Error("Provide at least one poetry file.")
	}
	servercli.CheckPort(p, *port)
	if last := *port + len(args) - 1; *port != 0 && last > 65535 {
		p.Errorf("option --port: %d poetry files from port %d need ports up to %d, past 65535", len(args), *port, last)
	}
	opts := options{port: *port, iface: *iface}
	for _, path := range args {
		pm, err := servercli.LoadPoem(path, bigPoem)
		if err != nil {
			p.Error(err.Error())
		}
		opts.poems = append(opts.poems, pm)
	}
	return opts
}

// factory returns the factory that serves pm.
func factory(pm servercli.Poem) (reactor.Factory, error) {
	if pm.File != nil {
		return poetry.NewFileServerFactory(pm.File)
	}
	return poetry.NewFastServerFactory(pm.Data), nil
}

func main() {
	opts := parseArgs()

	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	ports := make([]*reactor.Port, len(opts.poems))
	for i, pm := range opts.poems {
		f, err := factory(pm)
		if err != nil {
			fail(err)
		}
		port := opts.port
		if port != 0 {
			port += i
		}
		ports[i], err = r.ListenTCP(net.JoinHostPort(opts.iface, strconv.Itoa(port)), f)
		if err != nil {
			fail(err) // Twisted's "Couldn't listen on ..." message
		}
	}
	for i, pm := range opts.poems {
		fmt.Printf("Serving %s on %s.\n", pm.Path, reactor.AddressRepr(ports[i].Addr()))
	}
	if err := r.Run(); err != nil {
		fail(err)
	}
}

// fail reports an error that stops the server, in one line, and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "fastpoetry-exercise-4:", err)
	os.Exit(1)
}
