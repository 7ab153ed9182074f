// Command get-poetry-exercise-2 answers the second exercise of part 4 of
// Dave Peticolas's Twisted tutorial: give client 1.0 (../get-poetry) a
// timeout, with the reactor's CallLater, cancelled when the poem is in on
// time.
//
//	go run ./examples/twisted-client-1/get-poetry-exercise-2 [--timeout SECONDS] [--print] [hostname]:port ...
//
// With --timeout, every socket gets a timer when it is registered:
// CallLater returns a *reactor.DelayedCall, which the socket keeps. When
// the poem finishes first, ConnectionLost cancels the timer (Cancel, the
// reason CallLater returns something at all), and it never fires. When the
// timer fires first, the socket is taken from the reactor and lost with a
// timeout error, which is reported as client 1.0 reports a broken
// connection,
//
//	Task 1: failed to get poetry from 127.0.0.1:10001: timed out after 2s
//
// and, as for any failed task, there is no summary line for it, "Got N
// poems" does not count it and the exit status is 1. The last socket to go,
// poem or timeout, stops the reactor. Without --timeout (or with 0) the
// client waits as long as the servers take, as client 1.0 does; a refused
// connection still crashes it, as it does client 1.0 (the first exercise,
// get-poetry-exercise-1, is the fix for that).
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

This is the Get Poetry Now! client, Twisted version 1.0,
with a timeout.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/twisted-client-1/get-poetry-exercise-2 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

func main() {
	// Until its reactor runs, the program handles no signal, as the
	// original until reactor.run(): Ctrl-C prints where the program waited
	// and kills it (KeyboardInterrupt in Python).
	stopInterrupt := crash.OnInterrupt()

	p := optparse.New("get-poetry-exercise-2", usage)
	printPoems := p.Bool("--print", "Print the poems, not only their sizes.")
	timeout := p.Float("--timeout", 0,
		"Give up on a poem that is not complete after this many seconds. Default is to wait as long as it takes.")
	args := p.Parse(os.Args[1:])
	if len(args) == 0 {
		p.ExitWithHelp()
	}
	addrs, err := poetry.ParseAddresses(args)
	if err != nil {
		p.Error(err.Error())
	}
	limit := p.SecondsOf("--timeout", *timeout, "the timeout must be 0 (none) or more seconds")

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
		fmt.Fprintln(os.Stderr, "get-poetry-exercise-2:", err)
		os.Exit(1)
	}
	// The reactor's handler is in place: Ctrl-C is the reactor's from
	// now on. (Handing over only now leaves no moment when a Ctrl-C would
	// kill the program without a word.)
	stopInterrupt()
	for _, s := range sockets {
		s.register(r)
		if limit > 0 && s.err == nil {
			s.startTimer(limit)
		}
	}

	failed := false
	if len(r.Readers()) > 0 {
		// From here on the reactor is in charge: it calls DoRead and
		// ConnectionLost until the last poetry socket stops it.
		if err := r.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "get-poetry-exercise-2:", err)
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
	err     error                // why the download failed; nil while all is well
	timer   *reactor.DelayedCall // the timeout, if there is one
}

// startTimer gives the download d to finish: CallLater returns the timer,
// kept so that ConnectionLost can cancel it.
func (p *PoetrySocket) startTimer(d time.Duration) {
	p.timer = p.reactor.CallLater(d, func() {
		// Out of the reactor, then lost as any broken socket is: the
		// reason is reported, and the last socket stops the reactor.
		p.reactor.RemoveReader(p)
		p.ConnectionLost(fmt.Errorf("timed out after %v", d))
	})
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
	if p.timer != nil && p.timer.Active() {
		// In time: the timer has nothing left to do.
		p.timer.Cancel()
	}
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
