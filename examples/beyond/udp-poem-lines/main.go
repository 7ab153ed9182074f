// Command udp-poem-lines is a poem served over datagrams: a server that
// answers "LINE n" with the n-th line of a poem (and "END" past the
// last), and a client that asks for the lines one after another and
// prints the poem. Both run on one reactor, on a UDP port each, unless
// --serve runs only the server (on --iface, 127.0.0.1 unless told, and
// --port) or --server asks a server elsewhere, IPv4 or IPv6 (the client's
// port is then on every interface of the server's family, so that the
// system sends from whichever address reaches it).
//
// UDP gives no delivery guarantee, so the client resends a request that
// has gone unanswered for --retry, up to five times: one request in
// flight at a time, the simplest protocol that survives a lost datagram.
// It holds the poem until "END", so it gives up on a poem over 1 MiB or
// 16,384 lines (the built-in ones are a few KiB, under a hundred lines):
// a server that never ends its poem must neither grow the client
// without bound nor, with empty lines that grow nothing, keep it asking
// for ever.
//
// The client takes answers only from the address it asked, and a server
// on a wildcard --iface (0.0.0.0, ::) answers from whichever of its
// addresses the system routes the answer by: ask such a server at that
// address (its main address, or 127.0.0.1 on the same machine), not at
// another one it also has (127.0.0.2), or the answers are not taken.
//
//	go run ./examples/beyond/udp-poem-lines                 # both, the poem "orchard"
//	go run ./examples/beyond/udp-poem-lines --serve [--iface HOST] --port 10000 library
//	go run ./examples/beyond/udp-poem-lines --server 127.0.0.1:10000
//	go run ./examples/beyond/udp-poem-lines --server '[::1]:10000'
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"gyre/poetry"
	"gyre/reactor"
)

// lineServer answers LINE n.
type lineServer struct {
	reactor.BaseDatagramProtocol
	lines [][]byte
}

func (s *lineServer) DatagramReceived(data []byte, addr *net.UDPAddr) {
	n, err := strconv.Atoi(strings.TrimPrefix(string(data), "LINE "))
	if err != nil || !bytes.HasPrefix(data, []byte("LINE ")) {
		return // not our protocol: say nothing
	}
	reply := []byte("END")
	if n >= 0 && n < len(s.lines) {
		reply = append([]byte(strconv.Itoa(n)+" "), s.lines[n]...)
	}
	s.Transport.Write(reply, addr)
}

// lineClient asks for each line in turn.
type lineClient struct {
	reactor.BaseDatagramProtocol
	r      *reactor.Reactor
	server *net.UDPAddr
	retry  time.Duration
	next   int
	tries  int
	timer  *reactor.DelayedCall
	poem   bytes.Buffer
	err    error
}

func (c *lineClient) StartProtocol(t *reactor.UDPPort) {
	c.Transport = t
	c.ask()
}

func (c *lineClient) ask() {
	c.timer = c.r.CallLater(c.retry, c.resend)
	if err := c.Transport.Write([]byte("LINE "+strconv.Itoa(c.next)), c.server); err != nil && err != reactor.ErrDatagramDropped {
		c.fail(err)
	}
}

func (c *lineClient) resend() {
	if c.tries++; c.tries > 5 {
		c.fail(fmt.Errorf("no answer from %s for line %d", c.server, c.next))
		return
	}
	c.ask()
}

func (c *lineClient) DatagramReceived(data []byte, addr *net.UDPAddr) {
	if !addr.IP.Equal(c.server.IP) || addr.Port != c.server.Port {
		return
	}
	if string(data) == "END" {
		c.timer.Cancel()
		c.r.Stop()
		return
	}
	num, line, ok := bytes.Cut(data, []byte(" "))
	if !ok || string(num) != strconv.Itoa(c.next) {
		return // a late answer to a resent request
	}
	c.timer.Cancel()
	if c.poem.Len()+len(line) > maxPoem {
		c.fail(fmt.Errorf("the poem from %s is over %d bytes (line %d): giving up", c.server, maxPoem, c.next))
		return
	}
	if c.next >= maxLines {
		c.fail(fmt.Errorf("the poem from %s is over %d lines: giving up", c.server, maxLines))
		return
	}
	c.poem.Write(line)
	c.next++
	c.tries = 0
	c.ask()
}

// maxPoem bounds the poem the client holds, and maxLines how long it
// asks: a server that answers every line with an empty one grows nothing,
// and without a bound on lines the client would ask it for ever, at full
// speed.
const (
	maxPoem  = 1 << 20
	maxLines = 1 << 14
)

func (c *lineClient) fail(err error) {
	c.err = err
	c.r.Stop()
}

// options is the command line.
type options struct {
	serve  bool
	port   int
	iface  string
	server string
	retry  time.Duration
}

func main() {
	var o options
	flag.BoolVar(&o.serve, "serve", false, "run only the server")
	flag.IntVar(&o.port, "port", 0, "with --serve: the UDP port (default: chosen by the system)")
	flag.StringVar(&o.iface, "iface", "127.0.0.1", "with --serve: the interface to listen on")
	flag.StringVar(&o.server, "server", "", "ask the server at HOST:PORT instead of running one")
	flag.DurationVar(&o.retry, "retry", 500*time.Millisecond, "resend an unanswered request after this long")
	flag.Parse()
	if msg := badArgs(o, flag.NArg(), setFlags()); msg != "" {
		fmt.Fprintln(os.Stderr, "udp-poem-lines:", msg)
		os.Exit(2)
	}
	name := "orchard"
	if flag.NArg() > 0 {
		name = flag.Arg(0)
	}
	if err := run(o, name); err != nil {
		fmt.Fprintln(os.Stderr, "udp-poem-lines:", err)
		os.Exit(1)
	}
}

// setFlags returns the names of the flags the command line set.
func setFlags() map[string]bool {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// badArgs says what is wrong with the command line, or "".
func badArgs(o options, args int, set map[string]bool) string {
	switch {
	case args > 1:
		return "one poem at most"
	case o.serve && o.server != "":
		return "--serve runs a server, --server asks one elsewhere: not both"
	case o.port < 0 || o.port > 65535:
		return fmt.Sprintf("--port %d: not a port number (0 to 65535)", o.port)
	case o.port != 0 && !o.serve:
		return "--port applies only with --serve"
	case set["iface"] && !o.serve:
		return "--iface applies only with --serve"
	case o.retry <= 0:
		return fmt.Sprintf("--retry %v: must be more than 0", o.retry)
	}
	return ""
}

func run(o options, name string) error {
	r, err := reactor.New()
	if err != nil {
		return err
	}
	var srvAddr *net.UDPAddr
	if o.server == "" {
		poem, err := poetry.Poem(name)
		if err != nil {
			return err
		}
		s := &lineServer{lines: bytes.SplitAfter(poem, []byte("\n"))}
		if n := len(s.lines); n > 0 && len(s.lines[n-1]) == 0 {
			s.lines = s.lines[:n-1]
		}
		p, err := r.ListenUDP(net.JoinHostPort(o.iface, strconv.Itoa(o.port)), s)
		if err != nil {
			return err
		}
		srvAddr = p.Addr()
		if o.serve {
			fmt.Printf("Serving %s line by line on udp %s.\n", name, srvAddr)
			return r.Run()
		}
	} else {
		if srvAddr, err = net.ResolveUDPAddr("udp", o.server); err != nil {
			return err
		}
	}
	c := &lineClient{r: r, server: srvAddr, retry: o.retry}
	if _, err := r.ListenUDP(clientAddr(srvAddr), c); err != nil {
		return err
	}
	if err := r.Run(); err != nil {
		return err
	}
	if c.err != nil {
		return c.err
	}
	os.Stdout.Write(c.poem.Bytes())
	return nil
}

// clientAddr is where the client's port listens to reach server: every
// interface of the server's family, on a port the system chooses, so that
// the system sends from the address of the interface that reaches the
// server (a port on 127.0.0.1 reaches nothing but this machine, and an
// IPv4 port no IPv6 server).
func clientAddr(server *net.UDPAddr) string {
	if server.IP.To4() != nil {
		return "0.0.0.0:0"
	}
	return "[::]:0"
}
