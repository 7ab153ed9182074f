// Command transform-server is a poetry transformation service, beyond the
// tutorial's parts 1 to 11 (its part 12 builds one in Twisted): a client
// sends one netstring, "TRANSFORM.POEM", and the server answers with one
// netstring holding the transformed poem, then closes. An unknown
// transform, or a request that is not one netstring, closes the connection
// with no answer.
//
//	go run ./examples/beyond/transform-server [--iface HOST] [--port P] [--max-poem BYTES] [--idle SECONDS] [--max-conns N]
//
// Transforms: cummingsify (the poem in lower case, as e. e. cummings would
// have it: unlike the tutorial's client-side one, the service's is
// reliable; bytes that are not UTF-8 pass unchanged) and shout (upper
// case). The framing is protocols/basic's NetstringReceiver, so a request
// may arrive in any number of reads, and one longer than --max-poem is
// refused as soon as its length says so. A connection that sends nothing
// (or not the rest of its request) for --idle, or reads nothing of its
// answer, is closed, and at most --max-conns are open at once: a request
// may hold up to --max-poem bytes, so idle and unlimited connections would
// hold memory without bound. transform-client is its client.
//
// It prints "Transforming on ADDRESS." and one line per request; SIGINT or
// SIGTERM stops it. The lines are written by a goroutine of their own
// (internal/eventlog), never by the reactor: an output nobody reads loses
// lines, counted, and never holds up the requests or the stop.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"gyre/internal/eventlog"
	"gyre/protocols/basic"
	"gyre/protocols/policies"
	"gyre/reactor"
)

// transforms are the service's transformations, by name.
var transforms = map[string]func([]byte) []byte{
	"cummingsify": func(p []byte) []byte { return mapRunes(p, unicode.ToLower) },
	"shout":       func(p []byte) []byte { return mapRunes(p, unicode.ToUpper) },
}

// mapRunes maps each rune of p with f; bytes that are not valid UTF-8 are
// kept as they are (strings.ToLower would make each one U+FFFD).
func mapRunes(p []byte, f func(rune) rune) []byte {
	out := make([]byte, 0, len(p))
	for len(p) > 0 {
		r, n := utf8.DecodeRune(p)
		if r == utf8.RuneError && n == 1 {
			out = append(out, p[0])
		} else {
			out = utf8.AppendRune(out, f(r))
		}
		p = p[n:]
	}
	return out
}

// transformer is one connection: it waits for the request netstring.
type transformer struct {
	basic.NetstringReceiver
	log      *eventlog.Log
	answered bool
}

func newTransformer(maxPoem int, log *eventlog.Log) reactor.Protocol {
	t := &transformer{log: log}
	t.Handler = t
	t.MaxLength = maxPoem
	return t
}

func (t *transformer) StringReceived(request []byte) {
	peer := t.Transport.Peer()
	if t.answered {
		t.LoseConnection() // one request per connection
		return
	}
	name, poem, ok := bytes.Cut(request, []byte("."))
	if !ok {
		t.log.Printf("%v: bad request: no \".\" between the transform's name and the poem: closing", peer)
		t.LoseConnection()
		return
	}
	xform := transforms[string(name)]
	if xform == nil {
		t.log.Printf("%v: unknown transform %q: closing", peer, name[:min(len(name), maxNameQuoted)])
		t.LoseConnection()
		return
	}
	out := xform(poem)
	t.answered = true
	t.SendString(out)
	t.LoseConnection()
	t.log.Printf("%v: %s, %d bytes", peer, name, len(out))
}

func (t *transformer) ConnectionLost(error) {
	if err := t.Err(); err != nil {
		t.log.Printf("%v: bad request: %v", t.Transport.Peer(), err)
	}
}

func main() {
	fs := flag.NewFlagSet("transform-server", flag.ContinueOnError)
	iface := fs.String("iface", "127.0.0.1", "the interface to listen on")
	port := fs.Int("port", 0, "the port to listen on (0: one the system chooses)")
	maxPoem := fs.Int("max-poem", 1<<20, "the longest request accepted, in bytes")
	idle := fs.Duration("idle", 30*time.Second, "close a connection idle this long (0: never)")
	maxConns := fs.Int("max-conns", 1024, "the most connections open at once")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 || *port < 0 || *port > 65535 || *maxPoem < 1 || *idle < 0 || *maxConns < 1 {
		fmt.Fprintln(os.Stderr, "transform-server: bad arguments (a port 0-65535, a positive --max-poem and --max-conns, an --idle of 0 or more, nothing else)")
		fs.Usage()
		os.Exit(2)
	}
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	log := eventlog.New(os.Stdout, eventQueue)
	var factory reactor.Factory = reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return newTransformer(*maxPoem, log) })
	factory = &policies.IdleTimeout{Factory: factory, Clock: r, Period: *idle,
		TimedOut: func(peer net.Addr) { log.Printf("%v idle for %v: closing", peer, *idle) }}
	factory = &policies.Limit{Factory: factory, MaxTotal: *maxConns}
	p, err := r.ListenTCP(net.JoinHostPort(*iface, strconv.Itoa(*port)), factory)
	if err != nil {
		fail(err)
	}
	log.Printf("Transforming on %s.", p.Addr())
	err = r.Run()
	log.Close(time.Second) // what is left of the log, if stdout is read
	if err != nil {
		fail(err)
	}
}

// eventQueue bounds the event lines waiting for stdout, each about 100
// bytes: an unknown transform's name, which a client may make as long as a
// request, is quoted up to maxNameQuoted bytes.
const (
	eventQueue    = 4096
	maxNameQuoted = 64
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, "transform-server:", err)
	os.Exit(1)
}
