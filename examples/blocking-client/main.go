// Command blocking-client is the tutorial's Get Poetry Now! client,
// blocking edition (blocking-client/get-poetry.py in part 2 of Dave
// Peticolas's Twisted tutorial).
//
//	go run ./examples/blocking-client [--print] [hostname]:port ...
//
// It downloads one poem from each server in turn: connect, read until the
// server closes the connection, then on to the next. Each read blocks, so
// the total time is the SUM of the downloads, however many servers there
// are; the async client next to it takes only as long as the longest one.
//
// Output, as the original's:
//
//	Task 1: get poetry from: 127.0.0.1:10000
//	Task 1: got 3003 bytes of poetry from 127.0.0.1:10000 in 0:00:10.130779
//	Got 1 poems in 0:00:10.130779
//
// The host is printed as given ("localhost:10002" stays so), or as
// 127.0.0.1 when there is none (":10002"), as the original's format_address
// prints it. As the original, the client does not handle a server that
// cannot be reached or that breaks the connection: it crashes, printing a
// Go stack trace and the error (Python prints a traceback and the
// exception),
//
//	goroutine 1 [running]:
//	...
//	main.getPoetry(...)
//		.../examples/blocking-client/main.go:LINE
//	main.main()
//		.../examples/blocking-client/main.go:LINE
//	*net.OpError: dial tcp 127.0.0.1:10009: connect: connection refused
//
// and exits with status 1, after the lines of the poems it did get. Nor
// does it handle Ctrl-C: as Python's KeyboardInterrupt traceback does, it
// prints the stack of where it was waiting (the connect or the read), then
// the line KeyboardInterrupt, and dies by SIGINT (see crash.OnInterrupt).
// The
// got lines count characters under the word "bytes", as the Python 3
// original does (it counts the poem it decoded): 566 for a poem of 577
// bytes with eleven accented letters. --print also prints each poem.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"gyre/examples/internal/crash"
	"gyre/internal/optparse"
	"gyre/poetry"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, blocking edition.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/blocking-client 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

func main() {
	// As the original, the program handles no signal; Python still turns
	// Ctrl-C into a KeyboardInterrupt, whose traceback shows where the
	// program waited, before it dies by SIGINT. So does this one.
	crash.OnInterrupt()

	p := optparse.New("get-poetry", usage)
	printPoems := p.Bool("--print", "Print the poems, not only their sizes.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}

	var elapsed time.Duration
	got := 0
	for i, addr := range addrs {
		task := i + 1
		shown := displayAddr(addr)
		fmt.Printf("Task %d: get poetry from: %s\n", task, shown)
		start := time.Now()
		poem := getPoetry(addr)
		// To the microsecond, as the printed time (a Python timedelta
		// in the original): the total below is then the exact sum of
		// the times printed, as the original's is.
		took := time.Since(start).Round(time.Microsecond)
		elapsed += took
		got++
		fmt.Printf("Task %d: got %d bytes of poetry from %s in %s\n", task, utf8.RuneCount(poem), shown, poetry.FormatElapsed(took))
		if *printPoems {
			printPoem(poem)
		}
	}
	// As in the original, the total is the sum of the downloads (of the
	// times printed for them), which here is also the time the whole run
	// took.
	fmt.Printf("Got %d poems in %s\n", got, poetry.FormatElapsed(elapsed))
}

// displayAddr is the address as the original prints it: the host as
// written, 127.0.0.1 when there was none (":10000" still connects to this
// machine, but is not printed so).
func displayAddr(a poetry.Address) string {
	host := a.Host
	if host == "" {
		host = poetry.DefaultHost
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}

// getPoetry downloads one poem: everything the server sends until it closes
// the connection. Both calls block, for as long as the server takes. An
// error ends the program (see crash), as it does the original.
func getPoetry(addr poetry.Address) []byte {
	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		crash.Exit(err)
	}
	defer conn.Close()
	poem, err := io.ReadAll(conn)
	if err != nil {
		crash.Exit(err)
	}
	return poem
}

// printPoem writes the poem's bytes as they came, ending with a newline.
func printPoem(poem []byte) {
	os.Stdout.Write(poem)
	if len(poem) > 0 && poem[len(poem)-1] != '\n' {
		fmt.Println()
	}
}
