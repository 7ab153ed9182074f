// Command blocking-server is the tutorial's slow poetry server, blocking
// edition (slowpoetry.py in part 2 of Dave Peticolas's Twisted tutorial).
//
//	go run ./examples/blocking-server [--port P] [--iface I] [--delay S] [--num-bytes N] POEM-FILE
//
// It serves one poem, slowly: --num-bytes characters, then a pause of
// --delay seconds, again and again, and then it closes the connection. It
// is written with plain blocking calls (Accept, Write, Sleep), so while it
// is busy with one client every other client waits in the listen queue:
// that is the point of the lesson, and what the asynchronous programs next
// to it improve on.
//
// It prints what the original prints, line by line as it happens:
//
//	Serving POEM-FILE on port P.
//	Somebody at ('127.0.0.1', 54626) wants poetry!
//	Sending 10 bytes
//
// The poem is read once at start-up and sent byte for byte, whatever its
// encoding. A client that goes away mid-poem is noticed when a send fails,
// and the server quietly moves on to the next one.
package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"gyre/internal/optparse"
	"gyre/poetry"
)

const usage = `usage: %prog [options] poetry-file

This is the Slow Poetry Server, blocking edition.
Run it like this:

  go run . <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/blocking-server poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.
`

// options are the command line, checked.
type options struct {
	file     string
	poem     []byte
	port     int
	iface    string
	delay    time.Duration
	numBytes int
}

func parseArgs() options {
	p := optparse.New("slowpoetry", usage)
	port := p.Int("--port", 0, "The port to listen on. Default to a random available port.")
	iface := p.String("--iface", "localhost", "The interface to listen on. Default is localhost.")
	delay := p.Float("--delay", 0.1, "The number of seconds between sending bytes.")
	numBytes := p.Int("--num-bytes", 10, "The number of bytes to send at a time.")
	args := p.Parse(os.Args[1:])
	if len(args) != 1 {
		p.Error("Provide exactly one poetry file.")
	}
	if *port < 0 || *port > 65535 {
		p.Errorf("option --port: %d is not a port number (0 to 65535)", *port)
	}
	// NaN fails both comparisons, so it is caught too.
	if !(*delay >= 0 && *delay <= math.MaxInt64/float64(time.Second)) {
		p.Errorf("option --delay: the delay must be 0 or more seconds, not %v", *delay)
	}
	if *numBytes < 1 {
		p.Errorf("option --num-bytes: the server must send at least 1 byte at a time, not %d", *numBytes)
	}
	poem, msg := loadPoem(args[0])
	if msg != "" {
		p.Error(msg)
	}
	return options{
		file:     args[0],
		poem:     poem,
		port:     *port,
		iface:    *iface,
		delay:    time.Duration(*delay * float64(time.Second)),
		numBytes: *numBytes,
	}
}

// loadPoem reads the poem, or says in one line why it cannot be served.
// The original only checks that the path exists and opens the file for
// each client; checking everything here means a bad file is reported
// before the server listens, not when the first reader arrives.
func loadPoem(path string) ([]byte, string) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, "No such file: " + path
	case err != nil:
		return nil, fmt.Sprintf("Cannot read %s: %s", path, reason(err))
	case fi.IsDir():
		return nil, "Not a file (a directory): " + path
	}
	poem, err := os.ReadFile(path)
	switch {
	case err != nil:
		return nil, fmt.Sprintf("Cannot read %s: %s", path, reason(err))
	case len(poem) == 0:
		return nil, "Empty poetry file: " + path
	}
	return poem, ""
}

func main() {
	opts := parseArgs()

	addr := net.JoinHostPort(opts.iface, strconv.Itoa(opts.port))
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "slowpoetry: cannot listen on %s: %s\n", addr, reason(err))
		os.Exit(1)
	}
	fmt.Printf("Serving %s on port %d.\n", opts.file, listener.Addr().(*net.TCPAddr).Port)

	for {
		// Blocks until a client connects.
		conn, err := listener.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "slowpoetry: accept: %s\n", reason(err))
			os.Exit(1)
		}
		fmt.Printf("Somebody at %s wants poetry!\n", pythonAddr(conn.RemoteAddr()))
		// Blocks until the whole poem is sent: nobody else is served
		// meanwhile.
		sendPoetry(conn, opts.poem, opts.numBytes, opts.delay)
	}
}

// sendPoetry sends the poem a chunk at a time, sleeping after every chunk
// (the last one too, as the original does), then closes the connection.
func sendPoetry(conn net.Conn, poem []byte, numBytes int, delay time.Duration) {
	defer conn.Close()
	for len(poem) > 0 {
		n := poetry.ChunkLen(poem, numBytes)
		fmt.Printf("Sending %d bytes\n", n)
		if _, err := conn.Write(poem[:n]); err != nil {
			return // the client went away: end this poem quietly
		}
		poem = poem[n:]
		time.Sleep(delay)
	}
}

// pythonAddr formats a peer address as the original prints it, a Python
// socket address tuple: ('127.0.0.1', 54626), or for IPv6
// ('::1', 54626, 0, 0) (flow info and scope id).
func pythonAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if ip4 := tcp.IP.To4(); ip4 != nil {
		return fmt.Sprintf("('%s', %d)", ip4, tcp.Port)
	}
	host, scope := tcp.IP.String(), 0
	if tcp.Zone != "" {
		host += "%" + tcp.Zone
		if ifi, err := net.InterfaceByName(tcp.Zone); err == nil {
			scope = ifi.Index
		}
	}
	return fmt.Sprintf("('%s', %d, 0, %d)", host, tcp.Port, scope)
}

// reason is the part of an error worth a user's time: "address already in
// use" rather than "listen tcp 127.0.0.1:10000: bind: address already in
// use".
func reason(err error) string {
	var errno syscall.Errno
	var dnsErr *net.DNSError
	var addrErr *net.AddrError
	switch {
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &dnsErr):
		return dnsErr.Err
	case errors.As(err, &addrErr):
		return addrErr.Err
	}
	return err.Error()
}
