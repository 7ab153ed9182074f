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
// The poem is read once at start-up, its line ends made "\n" as the
// original's text-mode read makes them, and sent byte for byte, whatever
// its encoding: the original reads it as UTF-8 text, and on a file that is
// not (Latin-1, say) dies with a UnicodeDecodeError while serving its first
// client, once its reads (decoded some 8 KB at a time) reach the bad bytes:
// that client gets none of the poem, or a part and a clean close. A client
// that goes away mid-poem is noticed when a send fails, and the server
// quietly moves on to the next one.
//
// Like the original, it handles no signal. Stopped by Ctrl-C or SIGTERM, it
// dies by the signal. At Ctrl-C it first prints where it was waiting, as
// the original's KeyboardInterrupt traceback does (accept() when idle,
// time.sleep() while sending): the main goroutine's stack, in Go's format,
// then the line KeyboardInterrupt (see crash.OnInterrupt),
//
//	goroutine 1 [sleep]:
//	time.Sleep(...)
//	...
//	main.sendPoetry(...)
//	...
//	main.main()
//	...
//	KeyboardInterrupt
//
// SIGTERM kills it silently, as it kills the original. Either way, in the
// middle of a poem the kernel then closes the client's connection cleanly:
// the client cannot tell the poem was cut, and takes what it got for the
// whole poem. Its asynchronous edition, examples/async-server, resets the
// poems it cuts instead, as gyre's other servers do.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"gyre/examples/internal/crash"
	"gyre/examples/internal/servercli"
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
` + servercli.PoemsNote

func main() {
	// As the original, the program handles no signal; Python still turns
	// Ctrl-C into a KeyboardInterrupt, whose traceback shows where the
	// program waited, before it dies by SIGINT. So does this one.
	crash.OnInterrupt()

	// The slow server's options, shared by its editions (servercli): a bad
	// option or poetry file stops the program here, before it listens.
	opts := servercli.ParseSlow(optparse.New("slowpoetry", usage), os.Args[1:])

	addr := net.JoinHostPort(opts.Iface, strconv.Itoa(opts.Port))
	listener, port, err := listen(opts.Iface, opts.Port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "slowpoetry: cannot listen on %s: %s\n", addr, poetry.Reason(err))
		os.Exit(1)
	}
	fmt.Printf("Serving %s on port %d.\n", opts.Poem.Path, port)

	for {
		// Blocks until a client connects.
		conn, err := listener.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "slowpoetry: accept: %s\n", poetry.Reason(err))
			os.Exit(1)
		}
		fmt.Printf("Somebody at %s wants poetry!\n", poetry.SocketTuple(conn.RemoteAddr()))
		// Blocks until the whole poem is sent: nobody else is served
		// meanwhile.
		sendPoetry(conn, opts.Poem.Data, opts.NumBytes, opts.Delay)
	}
}

// listen listens as the original does, on an IPv4 socket with a listen
// queue of five (servercli.OriginalBacklog): while one client is served,
// five more wait in the queue, and the kernel leaves the connects beyond
// them unanswered until their SYN is retried, a second or more later. Go's
// net.Listen would queue thousands.
func listen(host string, port int) (net.Listener, int, error) {
	fd, port, err := servercli.Listen(host, port, servercli.OriginalBacklog)
	if err != nil {
		return nil, 0, err
	}
	f := os.NewFile(uintptr(fd), "slowpoetry")
	defer f.Close() // FileListener has its own copy of the descriptor
	l, err := net.FileListener(f)
	return l, port, err
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
