// Command get-poetry-broken is the tutorial's deliberately broken Twisted
// client 1.0 (twisted-client-1/get-poetry-broken.py in part 4 of Dave
// Peticolas's Twisted tutorial). It is ../get-poetry with one thing changed:
// its sockets stay in blocking mode. Read the two side by side; everything
// else is the same.
//
//	go run ./examples/twisted-client-1/get-poetry-broken [--print] [hostname]:port ...
//
// # Why it is broken
//
// The reactor runs every callback on one goroutine, one at a time, and can do
// nothing else until the callback returns: it cannot look at other sockets,
// call their DoRead, run a timer, or act on Ctrl-C. A reactor program stays
// responsive only as long as no callback ever waits.
//
// This client's DoRead waits. Its socket is blocking, so each read sleeps
// until the server sends more, and DoRead goes on reading until the server
// closes the connection: the first time the reactor calls it, it does not
// return before the whole poem is there. So each poem gets exactly one "got"
// line, with its full size, and while one poem is being read no other socket
// is even looked at. The reactor is still there, but all it does now is pick
// which poem to read next, all in one go: a blocking client in a reactor's
// clothes. Nothing in Twisted or in gyre can stop a callback from blocking;
// keeping callbacks short is the programmer's side of the bargain.
//
// # What the clock says
//
// Reading the poems one after the other, the broken client might be
// expected to take as long as the blocking client: the sum of the
// downloads. Measured, it usually does not, and neither does the Python
// original. All the connections are made before the reactor starts, and the
// servers keep sending while the client is stuck on one poem; the kernel
// keeps what they send in the sockets' receive buffers, so when the client
// gets round to the next poem most of it, or all of it, is already there.
// With poems smaller than those buffers (the tutorial's all are) the total
// is about the longest download, as with the asynchronous clients. The
// damage shows elsewhere: nothing is printed and no progress is seen until
// a whole poem is in, and every other socket, timer and signal is frozen
// meanwhile. With poems larger than the buffers the servers are held up
// too, and the total creeps towards the sum.
//
// # Output
//
// As the original's:
//
//	Task 1: got 3003 bytes of poetry from 127.0.0.1:10001
//	Task 3: got 653 bytes of poetry from 127.0.0.1:10003
//	Task 2: got 615 bytes of poetry from 127.0.0.1:10002
//	Task 1: 3003 characters of poetry
//	Task 2: 615 characters of poetry
//	Task 3: 653 characters of poetry
//	Got 3 poems in 0:00:01.045995
//
// There are no "Task N finished" lines: DoRead meets the end of file in the
// same call that read the poem. The got lines come in the order in which the
// reactor found the sockets readable after each blocking read, which varies.
// The address is printed as given. The got lines count bytes, the summary
// characters (UTF-8 runes), as the original's words say: 566 characters for
// a poem of 577 bytes with accents. --print prints each poem after its
// summary line.
//
// Failures are handled as in get-poetry: a refused connection crashes the
// program with a stack trace and the error, exit status 1, as the
// original's traceback does; a connection broken in the middle of a poem
// gets one line on stderr, the other downloads go on, and the exit status
// is 1. Ctrl-C stops the reactor, but only once the poem being read is
// complete: until then the loop that would act on it is stuck in DoRead.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"gyre/examples/internal/crash"
	"gyre/internal/optparse"
	"gyre/internal/sock"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the *Broken* Get Poetry Now! client, Twisted version 1.0.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-1/get-poetry-broken 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

func main() {
	// Until its reactor runs, the program handles no signal, as the
	// original until reactor.run(): Ctrl-C prints where the program waited
	// and kills it (KeyboardInterrupt in Python).
	stopInterrupt := crash.OnInterrupt()

	p := optparse.New("get-poetry-broken", usage)
	printPoems := p.Bool("--print", "Print the poems, not only their sizes.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}

	start := time.Now()
	sockets := make([]*PoetrySocket, len(addrs))
	for i, addr := range addrs {
		sockets[i] = NewPoetrySocket(i+1, addr)
	}

	// Signal handling makes Ctrl-C stop the reactor, as Twisted's
	// reactor.run() does, so that the summary is still printed. The
	// reactor, and so its handling, comes after the connects, as Twisted
	// installs its handlers only in reactor.run(): until then Ctrl-C ends
	// the program at once, with the stack of the connect, as it ends the
	// original with a KeyboardInterrupt, even in a connect that hangs (a
	// server whose listen queue is full, a host that does not answer).
	// Made first, the reactor would take the signal and the program would
	// go on waiting for the connect.
	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fmt.Fprintln(os.Stderr, "get-poetry-broken:", err)
		os.Exit(1)
	}
	// The reactor's handler is in place: Ctrl-C is the reactor's from
	// now on. (Handing over only now leaves no moment when a Ctrl-C would
	// kill the program without a word.)
	stopInterrupt()
	for _, s := range sockets {
		s.register(r)
	}

	failed := false
	if len(r.Readers()) > 0 {
		// From here on the reactor is in charge: it calls DoRead and
		// ConnectionLost until the last poetry socket stops it.
		if err := r.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "get-poetry-broken:", err)
			failed = true
		}
	} else {
		// Every connection failed. Nothing would ever stop a reactor
		// with nothing to watch, so it is not started at all.
		r.Close()
	}
	elapsed := time.Since(start)

	got := 0
	for _, s := range sockets {
		if s.err != nil {
			failed = true
			continue
		}
		got++
		fmt.Printf("Task %d: %d characters of poetry\n", s.task, utf8.RuneCount(s.poem))
		if *printPoems {
			os.Stdout.Write(s.poem)
			if len(s.poem) > 0 && s.poem[len(s.poem)-1] != '\n' {
				fmt.Println()
			}
		}
	}
	fmt.Printf("Got %d poems in %s\n", got, poetry.FormatElapsed(elapsed))
	if failed {
		os.Exit(1)
	}
}

// PoetrySocket downloads one poem. It is a reactor.ReadDescriptor: once
// registered with AddReader, the reactor calls its DoRead whenever its
// socket is readable and its ConnectionLost when it is done with it.
type PoetrySocket struct {
	reactor *reactor.Reactor
	task    int
	addr    string // as the user wrote it, for the messages
	fd      int    // -1 when there is no open socket
	poem    []byte
	err     error // why the download failed; nil while all is well
}

// NewPoetrySocket connects to the server at addr. A connection that
// cannot be made ends the program (see crash), as an exception raised in
// the original's constructor does.
func NewPoetrySocket(task int, addr poetry.Address) *PoetrySocket {
	p := &PoetrySocket{task: task, addr: displayAddr(addr), fd: -1}
	if err := p.connect(addr); err != nil {
		crash.Exit(err)
	}
	return p
}

// register hands the connected socket to r, to watch for reading (the
// original's reactor.addReader). If the reactor cannot watch it, the
// failure is reported at once and the socket is not registered: its err
// says why.
func (p *PoetrySocket) register(r *reactor.Reactor) {
	p.reactor = r
	if err := r.AddReader(p); err != nil {
		p.fail(err)
	}
}

// connect opens a socket and connects it with a blocking connect(), which
// waits until the server accepts or refuses, as the original does. And
// here is the bug: unlike get-poetry, it leaves the socket in blocking
// mode, so every read on it waits until there is something to read.
func (p *PoetrySocket) connect(addr poetry.Address) error {
	// Looking a host name up blocks too, like the connect after it,
	// before the reactor runs.
	sa, err := sock.Resolve(addr.Host, addr.Port)
	if err != nil {
		return err
	}
	family := unix.AF_INET
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	p.fd = fd
	unix.CloseOnExec(fd)
	err = unix.Connect(fd, sa)
	for errors.Is(err, unix.EINTR) {
		// A signal interrupted the wait; the kernel went on connecting.
		// Asking again waits for the outcome (EISCONN: it succeeded).
		err = unix.Connect(fd, sa)
	}
	if err != nil && !errors.Is(err, unix.EISCONN) {
		return os.NewSyscallError("connect", err)
	}
	return nil // and the socket stays blocking
}

// Fd is the socket the reactor watches.
func (p *PoetrySocket) Fd() int { return p.fd }

// LogPrefix names the socket in the reactor's log messages.
func (p *PoetrySocket) LogPrefix() string { return "poetry" }

// DoRead is called by the reactor when the socket is readable, and here is
// the damage: it reads until the end of file, and since the socket blocks,
// each read waits for the server's next few bytes. The reactor, and every
// other download with it, waits too, until the poem is complete.
func (p *PoetrySocket) DoRead() error {
	buf := p.reactor.ReadBuffer() // shared by all readers, valid during this call
	var poem []byte
	for {
		n, err := unix.Read(p.fd, buf) // blocks until data or the end
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err // the reactor passes it on to ConnectionLost
		}
		if n == 0 {
			break // end of file: the whole poem has arrived
		}
		poem = append(poem, buf[:n]...)
	}
	fmt.Printf("Task %d: got %d bytes of poetry from %s\n", p.task, len(poem), p.addr)
	p.poem = poem
	return reactor.ErrConnectionDone
}

// ConnectionLost is called by the reactor once it has dropped the socket:
// after DoRead returned ErrConnectionDone or an error, or when the reactor
// stops with the download unfinished. The last poetry socket to go stops
// the reactor.
func (p *PoetrySocket) ConnectionLost(reason error) {
	// The reactor has already stopped watching the socket; saying so again
	// costs nothing, keeps this method right whoever calls it, and must
	// happen before the fd is closed (the reactor identifies it by fd).
	p.reactor.RemoveReader(p)
	p.close()
	switch {
	case errors.Is(reason, reactor.ErrConnectionDone):
		// The whole poem has arrived.
	case errors.Is(reason, reactor.ErrConnectionLost) && !p.reactor.Running():
		p.fail(errors.New("interrupted before the end of the poem"))
	default:
		p.fail(reason)
	}
	for _, d := range p.reactor.Readers() {
		if _, ok := d.(*PoetrySocket); ok {
			return // some poetry is still on its way
		}
	}
	p.reactor.Stop() // ErrNotRunning if it is stopping already: fine
}

// fail reports why the task failed, in one line on stderr, and closes the
// socket if it is open.
func (p *PoetrySocket) fail(err error) {
	p.err = err
	p.close()
	fmt.Fprintf(os.Stderr, "Task %d: failed to get poetry from %s: %s\n", p.task, p.addr, poetry.Reason(err))
}

func (p *PoetrySocket) close() {
	if p.fd >= 0 {
		unix.Close(p.fd)
		p.fd = -1
	}
}

// displayAddr is the address as the original prints it: the host as
// written, 127.0.0.1 when there was none (":10000").
func displayAddr(a poetry.Address) string {
	host := a.Host
	if host == "" {
		host = poetry.DefaultHost
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}
