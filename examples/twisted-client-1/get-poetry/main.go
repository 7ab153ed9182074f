// Command get-poetry is the tutorial's first Twisted client, version 1.0
// (twisted-client-1/get-poetry.py in part 4 of Dave Peticolas's Twisted
// tutorial), written against gyre's reactor.
//
//	go run ./examples/twisted-client-1/get-poetry [--print] [hostname]:port ...
//
// # From a loop of our own to the reactor's
//
// The async client of part 2 owned its loop: it filled the select() sets,
// waited, and walked the sockets that were ready. This client does the same
// work and prints the same lines, but the loop is no longer in the program.
// It belongs to the reactor (gyre's package reactor, Twisted's reactor), and
// the program only describes its sockets to it in the reactor's terms:
//
//   - A PoetrySocket is a reactor.ReadDescriptor. Fd says which file
//     descriptor to watch, DoRead what to do when it is readable,
//     ConnectionLost what to do when the reactor is done with it, and
//     LogPrefix names it in the reactor's log. That is all the reactor knows
//     about it; it has never heard of poems.
//   - AddReader hands a socket to the reactor. From then on the program never
//     calls DoRead itself: the reactor calls it each time the socket has
//     data, so the downloads interleave as the data arrives.
//   - DoRead reads what is there and returns. The socket is non-blocking, so
//     a read that finds nothing left fails at once with EAGAIN instead of
//     waiting: nothing may wait inside a callback, because while one runs
//     the reactor, and so every other download, stands still (the broken
//     client next door shows what happens otherwise).
//   - At end of file DoRead returns reactor.ErrConnectionDone. The reactor
//     drops the socket and calls its ConnectionLost, which closes it.
//   - The reactor cannot tell that the program is finished: with nothing to
//     watch it would simply wait, forever. So ConnectionLost looks at
//     Readers and, once no poetry socket is left, calls Stop. Run returns
//     to main, which prints the summary.
//
// Every call above happens on one goroutine, the one in Run, one call at a
// time, so the sockets share the program's state without a single lock.
//
// This is the reactor's lowest level, used on purpose to learn it from the
// inside out: the program still makes its own sockets, connects them, reads
// them and copes with EAGAIN; the reactor only says when. Client 2.0 hands
// those chores to the reactor too (transports, protocols, factories) and
// keeps only the poetry.
//
// # Connecting, and what can go wrong
//
// As in the original, each socket is connected with an ordinary blocking
// connect() before the reactor starts, and only then switched to
// non-blocking mode. The connections are therefore made one after the
// other, and a server slow to answer holds up the start of everything.
// Ctrl-C meanwhile ends the program at once, as it does the original:
// the reactor, which turns Ctrl-C into a stop, is made after the connects,
// as Twisted installs its signal handlers only in reactor.run(). Until
// then, as Python's KeyboardInterrupt traceback does, Ctrl-C prints the
// stack of the connect and the line KeyboardInterrupt, and the program
// dies by SIGINT (see crash.OnInterrupt).
//
// And, as the original, it does not handle a connection that cannot be
// made: "it just crashes", as part 5 puts it (making it survive is part 4's
// first exercise, get-poetry-exercise-1 next door). The program ends with
// a Go stack trace through the connect and the error, where Python prints
// a traceback and the exception, and exits with status 1, before the
// reactor ever runs:
//
//	goroutine 1 [running]:
//	...
//	main.NewPoetrySocket(...)
//	...
//	main.main()
//	...
//	*os.SyscallError: connect: connection refused
//
// One departure, from gyre's rule that a poem cut short is never passed off
// as a whole one: the original counts whatever arrived before a reset as
// the poem. Here a connection that breaks in the middle of a poem gets one
// line on stderr,
//
//	Task 2: failed to get poetry from 127.0.0.1:10002: connection reset by peer
//
// no summary line, and does not count in "Got N poems"; the exit status is
// then 1. Ctrl-C stops the reactor, as it stops Twisted's, and the
// downloads it cut short are reported the same way.
//
// # Output
//
// As the original's:
//
//	Task 1: got 30 bytes of poetry from 127.0.0.1:10001
//	Task 2: got 10 bytes of poetry from localhost:10002
//	...
//	Task 2 finished
//	Task 1 finished
//	Task 1: 3003 characters of poetry
//	Task 2: 615 characters of poetry
//	Got 2 poems in 0:00:01.025823
//
// A line for every DoRead that found data, a "finished" line at each end of
// file, then the summary in argument order once the reactor has stopped.
// The address is printed as given on the command line ("localhost" stays
// "localhost"). The got lines count bytes and the summary characters
// (UTF-8 runes), as the original's words say: for a poem with accents, 577
// bytes arrive and the summary says 566 characters. --print prints each
// poem after its summary line.
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

This is the Get Poetry Now! client, Twisted version 1.0.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-1/get-poetry 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

func main() {
	// Until its reactor runs, the program handles no signal, as the
	// original until reactor.run(): Ctrl-C prints where the program waited
	// and kills it (KeyboardInterrupt in Python).
	stopInterrupt := crash.OnInterrupt()

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
		fmt.Fprintln(os.Stderr, "get-poetry:", err)
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
			fmt.Fprintln(os.Stderr, "get-poetry:", err)
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

// connect opens a socket and connects it the way the original does: with a
// blocking connect(), which waits until the server accepts or refuses.
// Only then is the socket made non-blocking, for the reactor's sake.
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
	return unix.SetNonblock(fd, true)
}

// Fd is the socket the reactor watches.
func (p *PoetrySocket) Fd() int { return p.fd }

// LogPrefix names the socket in the reactor's log messages.
func (p *PoetrySocket) LogPrefix() string { return "poetry" }

// DoRead is called by the reactor when the socket is readable. It reads
// everything that has arrived, never waiting for more: a read with nothing
// left fails with EAGAIN, which ends this turn. A read of zero bytes is the
// end of file, which is the end of the poem in the poetry protocol.
func (p *PoetrySocket) DoRead() error {
	buf := p.reactor.ReadBuffer() // shared by all readers, valid during this call
	got := 0
	for {
		n, err := unix.Read(p.fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			break // drained: back to the reactor until more arrives
		}
		if err != nil {
			return err // the reactor passes it on to ConnectionLost
		}
		if n == 0 {
			if got == 0 {
				// End of file and nothing before it: the poem is complete.
				fmt.Printf("Task %d finished\n", p.task)
				return reactor.ErrConnectionDone
			}
			// End of file after some data: report the data first. The
			// socket stays readable at end of file, so the reactor calls
			// DoRead again on its next turn, which meets the end alone.
			break
		}
		p.poem = append(p.poem, buf[:n]...)
		got += n
	}
	fmt.Printf("Task %d: got %d bytes of poetry from %s\n", p.task, got, p.addr)
	return nil
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
