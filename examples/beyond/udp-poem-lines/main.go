// Command udp-poem-lines is a poem served over datagrams: a server that
// answers "LINE n" with the n-th line of a poem (and "END" past the
// last), and a client that asks for the lines one after another and
// prints the poem. Both run on one reactor, on a UDP port each, unless
// --serve runs only the server (on --port) or --server asks a server
// elsewhere.
//
// UDP gives no delivery guarantee, so the client resends a request that
// has gone unanswered for --retry, up to five times: one request in
// flight at a time, the simplest protocol that survives a lost datagram.
//
//	go run ./examples/beyond/udp-poem-lines                 # both, the poem "orchard"
//	go run ./examples/beyond/udp-poem-lines --serve --port 10000 library
//	go run ./examples/beyond/udp-poem-lines --server 127.0.0.1:10000
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
	c.poem.Write(line)
	c.next++
	c.tries = 0
	c.ask()
}

func (c *lineClient) fail(err error) {
	c.err = err
	c.r.Stop()
}

func main() {
	serve := flag.Bool("serve", false, "run only the server")
	port := flag.Int("port", 0, "with --serve: the UDP port (default: chosen by the system)")
	server := flag.String("server", "", "ask the server at HOST:PORT instead of running one")
	retry := flag.Duration("retry", 500*time.Millisecond, "resend an unanswered request after this long")
	flag.Parse()
	if msg := badArgs(*serve, *port, *server, *retry, flag.NArg()); msg != "" {
		fmt.Fprintln(os.Stderr, "udp-poem-lines:", msg)
		os.Exit(2)
	}
	name := "orchard"
	if flag.NArg() > 0 {
		name = flag.Arg(0)
	}
	if err := run(*serve, *port, *server, *retry, name); err != nil {
		fmt.Fprintln(os.Stderr, "udp-poem-lines:", err)
		os.Exit(1)
	}
}

// badArgs says what is wrong with the command line, or "".
func badArgs(serve bool, port int, server string, retry time.Duration, args int) string {
	switch {
	case args > 1:
		return "one poem at most"
	case serve && server != "":
		return "--serve runs a server, --server asks one elsewhere: not both"
	case port < 0 || port > 65535:
		return fmt.Sprintf("--port %d: not a port number (0 to 65535)", port)
	case port != 0 && !serve:
		return "--port applies only with --serve"
	case retry <= 0:
		return fmt.Sprintf("--retry %v: must be more than 0", retry)
	}
	return ""
}

func run(serveOnly bool, port int, server string, retry time.Duration, name string) error {
	r, err := reactor.New()
	if err != nil {
		return err
	}
	var srvAddr *net.UDPAddr
	if server == "" {
		poem, err := poetry.Poem(name)
		if err != nil {
			return err
		}
		s := &lineServer{lines: bytes.SplitAfter(poem, []byte("\n"))}
		if n := len(s.lines); n > 0 && len(s.lines[n-1]) == 0 {
			s.lines = s.lines[:n-1]
		}
		p, err := r.ListenUDP(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), s)
		if err != nil {
			return err
		}
		srvAddr = p.Addr()
		if serveOnly {
			fmt.Printf("Serving %s line by line on udp %s.\n", name, srvAddr)
			return r.Run()
		}
	} else {
		if srvAddr, err = net.ResolveUDPAddr("udp4", server); err != nil {
			return err
		}
	}
	c := &lineClient{r: r, server: srvAddr, retry: retry}
	if _, err := r.ListenUDP("127.0.0.1:0", c); err != nil {
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
