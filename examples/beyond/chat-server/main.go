// Command chat-server is a line chat server on gyre, beyond the tutorial:
// what Twisted's users build from LineReceiver and the policies, in Go.
//
//	go run ./examples/beyond/chat-server [--iface HOST] [--port P] [--idle 5m]
//	                                     [--max-per-peer 4] [--max-backlog 262144] [--max-line 4096]
//
// Each line a client sends goes to every other client, as "<name> line";
// a client is "guestN" until it sends "/nick NAME", and "/quit" leaves.
// Talk to it with nc: nc 127.0.0.1 PORT.
//
// What it shows, one package each:
//
//   - protocols/basic: LineReceiver splits the input into lines ("\n", a
//     trailing "\r" dropped), whatever the reads; a line over --max-line
//     bytes ends the connection, so a client that never sends a newline
//     costs at most that much memory;
//   - protocols/policies: an idle timeout (Timeout, on the reactor's clock)
//     says goodbye to a client silent for --idle, and the same timer,
//     as policies.IdleTimeout does, aborts the connection if it has not
//     closed one period later (a client that reads nothing never lets
//     the goodbye drain; the close of /quit is bounded the same way);
//     Limit refuses a client's
//     connection beyond --max-per-peer from one address, with a message;
//   - flow control: each client registers a push producer on its own
//     connection, so the reactor tells it when its write buffer is over the
//     high water mark (the client reads slower than the room talks). The
//     room goes on writing to it while its backlog stays under
//     --max-backlog; beyond, the client is cut off (aborted) rather than
//     buffered without bound.
//
// The server prints "Chat on ADDRESS." and then one line per event;
// SIGINT or SIGTERM stops it. The lines are written by a goroutine of
// their own (internal/eventlog), never by the reactor: an output nobody
// reads loses lines, counted, and never holds up the clients or the stop.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"gyre/internal/eventlog"
	"gyre/protocols/basic"
	"gyre/protocols/policies"
	"gyre/reactor"
)

type options struct {
	iface      string
	port       int
	idle       time.Duration
	maxPerPeer int
	maxBacklog int
	maxLine    int
}

func parseArgs() options {
	var o options
	fs := flag.NewFlagSet("chat-server", flag.ContinueOnError)
	fs.StringVar(&o.iface, "iface", "127.0.0.1", "the interface to listen on")
	fs.IntVar(&o.port, "port", 0, "the port to listen on (0: one the system chooses)")
	fs.DurationVar(&o.idle, "idle", 5*time.Minute, "say goodbye to a client silent for this long (0: never)")
	fs.IntVar(&o.maxPerPeer, "max-per-peer", 4, "connections allowed from one address (0: no limit)")
	fs.IntVar(&o.maxBacklog, "max-backlog", 256<<10, "bytes a slow client may have waiting before it is cut off")
	fs.IntVar(&o.maxLine, "max-line", 4096, "the longest line accepted")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	switch {
	case fs.NArg() > 0:
		usage(fs, "unexpected argument %q", fs.Arg(0))
	case o.port < 0 || o.port > 65535:
		usage(fs, "--port %d is out of range (0-65535)", o.port)
	case o.idle < 0 || o.maxPerPeer < 0:
		usage(fs, "--idle and --max-per-peer must not be negative")
	case o.maxBacklog < 1 || o.maxLine < 1:
		usage(fs, "--max-backlog and --max-line must be positive")
	}
	return o
}

func usage(fs *flag.FlagSet, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chat-server: "+format+"\n", args...)
	fs.Usage()
	os.Exit(2)
}

// room is the chat: every client in it, on the reactor's goroutine.
type room struct {
	r       *reactor.Reactor
	log     *eventlog.Log
	opts    options
	clients map[*client]struct{}
	next    int
}

// closeLimit bounds the close of a /quit when there is no --idle.
const closeLimit = 30 * time.Second

// client is one connection: a LineReceiver, an idle timeout, and a push
// producer watching its own write buffer.
type client struct {
	basic.LineReceiver
	policies.Timeout
	room      *room
	name      string
	conn      *reactor.Conn
	congested bool // the reactor paused us: the write buffer is over the high water mark
	cut       bool
}

func (rm *room) newClient() reactor.Protocol {
	rm.next++
	c := &client{room: rm, name: "guest" + strconv.Itoa(rm.next)}
	c.LineReceiver.Handler = c
	c.Delimiter = []byte("\n")
	c.MaxLength = rm.opts.maxLine
	c.Clock = rm.r
	c.OnTimeout = c.timedOut
	return c
}

func (c *client) ConnectionMade() {
	c.conn, _ = c.LineReceiver.Transport.(*reactor.Conn)
	// Our own producer: PauseProducing and ResumeProducing tell us when
	// the client falls behind and catches up (see pacer).
	c.LineReceiver.Transport.RegisterProducer((*pacer)(c), true)
	c.room.clients[c] = struct{}{}
	c.SetTimeout(c.room.opts.idle)
	c.SendLine([]byte("* welcome, " + c.name + "; /nick NAME to change it, /quit to leave"))
	c.room.broadcast(c, "* "+c.name+" joined")
	c.room.log.Printf("%s joined from %v", c.name, c.LineReceiver.Transport.Peer())
}

func (c *client) LineReceived(line []byte) {
	c.ResetTimeout()
	line = bytes.TrimSuffix(line, []byte("\r"))
	switch {
	case bytes.HasPrefix(line, []byte("/nick ")):
		name := string(bytes.TrimSpace(line[len("/nick "):]))
		if name == "" || len(name) > 32 {
			c.SendLine([]byte("* a name is 1 to 32 bytes"))
			return
		}
		c.room.broadcast(c, "* "+c.name+" is now "+name)
		c.name = name
	case string(line) == "/quit":
		c.SendLine([]byte("* bye"))
		c.leave()
	case len(line) > 0:
		c.room.broadcast(c, "<"+c.name+"> "+string(line))
	}
}

func (c *client) timedOut() {
	c.SendLine([]byte("* idle for " + c.room.opts.idle.String() + ", bye"))
	c.leave()
	c.room.log.Printf("%s timed out", c.name)
}

// leave closes the connection cleanly, once what was written to it has
// been sent, and has the idle timer abort it if that has not happened a
// period later: a client that reads nothing never lets its buffer drain,
// and would hold its connection, and what waits for it, for ever.
func (c *client) leave() {
	bound := c.room.opts.idle
	if bound <= 0 {
		bound = closeLimit
	}
	c.OnTimeout = func() {
		c.room.log.Printf("%s not reading: its close aborted after %v", c.name, bound)
		c.LineReceiver.Transport.AbortConnection()
	}
	c.SetTimeout(bound)
	c.LoseConnection() // no line is delivered after this: the timer runs on
}

func (c *client) ConnectionLost(reason error) {
	c.SetTimeout(0)
	delete(c.room.clients, c)
	if err := c.Err(); err != nil {
		c.room.log.Printf("%s dropped: %v", c.name, err)
	}
	if !c.cut {
		c.room.broadcast(c, "* "+c.name+" left")
	}
	c.room.log.Printf("%s left", c.name)
}

// broadcast writes msg to everyone but from. A client that has fallen
// behind keeps getting messages while its backlog stays under the bound,
// and is cut off beyond it: a slow reader never makes the server buffer
// without bound, and never holds the others up.
func (rm *room) broadcast(from *client, msg string) {
	line := []byte(msg)
	for c := range rm.clients {
		if c == from || c.cut {
			continue
		}
		c.SendLine(line)
		if c.congested && c.conn != nil && c.conn.Buffered() > rm.opts.maxBacklog {
			c.cut = true
			rm.log.Printf("%s cut off: %d bytes waiting, over %d", c.name, c.conn.Buffered(), rm.opts.maxBacklog)
			c.conn.AbortConnection()
			rm.broadcast(c, "* "+c.name+" was cut off (too slow)")
		}
	}
}

// pacer is a client seen as the producer of its own output: the reactor
// pauses it when the connection's write buffer passes the high water mark,
// and resumes it when the buffer has drained. Paused, the client is not
// read from either: what it sends may be answered to it alone (a bad
// /nick, say), and a client that never reads would otherwise have the
// server pile up those answers without bound.
type pacer client

func (p *pacer) PauseProducing() {
	p.congested = true
	p.LineReceiver.PauseProducing()
}

func (p *pacer) ResumeProducing() {
	p.congested = false
	p.LineReceiver.ResumeProducing()
}

func (p *pacer) StopProducing() {}

// refusal is the protocol of a connection over the per-address limit.
type refusal struct{ reactor.BaseProtocol }

func (p *refusal) ConnectionMade() {
	p.Transport.Write([]byte("* too many connections from your address\n"))
	p.Transport.LoseConnection()
}

func main() {
	opts := parseArgs()
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	rm := &room{r: r, log: eventlog.New(os.Stdout, eventQueue), opts: opts, clients: make(map[*client]struct{})}
	limit := &policies.Limit{
		Factory:    reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return rm.newClient() }),
		MaxPerPeer: opts.maxPerPeer,
		Overflow: func(addr net.Addr) reactor.Protocol {
			rm.log.Printf("refused %v: over %d connections from one address", addr, opts.maxPerPeer)
			return &refusal{}
		},
	}
	port, err := r.ListenTCP(net.JoinHostPort(opts.iface, strconv.Itoa(opts.port)), limit)
	if err != nil {
		fail(err)
	}
	rm.log.Printf("Chat on %s.", port.Addr())
	err = r.Run()
	rm.log.Close(time.Second) // what is left of the log, if stdout is read
	if err != nil {
		fail(err)
	}
}

// eventQueue bounds the event lines waiting for stdout (some 60 bytes
// each).
const eventQueue = 4096

func fail(err error) {
	fmt.Fprintln(os.Stderr, "chat-server:", err)
	os.Exit(1)
}
