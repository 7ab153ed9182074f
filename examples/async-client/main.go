// Command async-client is the tutorial's Get Poetry Now! client,
// asynchronous edition (async-client/get-poetry.py in part 2 of Dave
// Peticolas's Twisted tutorial).
//
//	go run ./examples/async-client [--print] [hostname]:port ...
//
// It downloads from every server at once, in one thread, with no framework:
// it opens all the sockets in non-blocking mode, then loops around select()
// asking the operating system which sockets have something to read, reads
// just what is there, and prints a line per read. Nothing ever waits for
// one particular server, so the whole run takes as long as the LONGEST
// download instead of the sum of them. That loop is what a reactor is; the
// Twisted examples hide it inside one.
//
// Output, as the original's:
//
//	Task 1: got 30 bytes of poetry from 127.0.0.1:10000
//	Task 2: got 10 bytes of poetry from 127.0.0.1:10001
//	...
//	Task 2 finished
//	Task 1 finished
//	Task 1: 3003 bytes of poetry
//	Task 2: 615 bytes of poetry
//	Got 2 poems in 0:00:10.126586
//
// The address in the per-read lines is the socket's peer, so "localhost"
// shows as 127.0.0.1. As the original, the client does not handle a server
// that refuses the connection or breaks it: it crashes, with a Go stack
// trace and the error on stderr (where Python prints a traceback and the
// exception), and exits with status 1,
//
//	goroutine 1 [running]:
//	...
//	main.(*task).finishConnect(...)
//	...
//	main.main()
//	...
//	*os.SyscallError: connect: connection refused
//
// Nor does it handle Ctrl-C: as Python's KeyboardInterrupt traceback
// does, it prints the stack of where it was waiting (the loop's select()),
// then the line KeyboardInterrupt, and dies by SIGINT (see
// crash.OnInterrupt).
//
// The original connects each socket before the loop starts, so a refused
// connection crashes it before anything is printed; this client starts
// every connection at once and learns of a refusal in the loop's first
// turn, which on loopback also comes before any data. The per-read lines
// count the bytes read; the totals count characters under the word
// "bytes", as the Python 3 original does (it counts the poem it decoded):
// 566 for a poem of 577 bytes with eleven accented letters. --print also
// prints each poem after its total.
package main

import (
	"errors"
	"fmt"
	"os"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"gyre/examples/internal/crash"
	"gyre/internal/optparse"
	"gyre/internal/sock"
	"gyre/poetry"
)

const usage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, asynchronous edition.
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/async-client 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`

// task is one download: a socket and the poem arriving on it.
type task struct {
	num        int
	addr       poetry.Address
	fd         int  // -1 once the socket is closed
	connecting bool // connect() has not completed yet
	peer       string
	poem       []byte
}

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

	start := time.Now()
	tasks := make([]*task, len(addrs))
	for i, addr := range addrs {
		t := &task{num: i + 1, addr: addr, fd: -1}
		tasks[i] = t
		t.connect()
	}
	for running(tasks) {
		if err := waitAndRead(tasks); err != nil {
			crash.Exit(os.NewSyscallError("select", err))
		}
	}
	elapsed := time.Since(start)

	for _, t := range tasks {
		fmt.Printf("Task %d: %d bytes of poetry\n", t.num, utf8.RuneCount(t.poem)) // characters, as the original counts
		if *printPoems {
			os.Stdout.Write(t.poem)
			if len(t.poem) > 0 && t.poem[len(t.poem)-1] != '\n' {
				fmt.Println()
			}
		}
	}
	fmt.Printf("Got %d poems in %s\n", len(tasks), poetry.FormatElapsed(elapsed))
}

func running(tasks []*task) bool {
	for _, t := range tasks {
		if t.fd >= 0 {
			return true
		}
	}
	return false
}

// connect opens a non-blocking socket and starts connecting it. A
// non-blocking connect returns at once (EINPROGRESS); the select loop
// learns that it is done when the socket becomes writable. So every
// connection is under way at the same time, even to a server that is slow
// to answer.
func (t *task) connect() {
	// Looking up a host name blocks, briefly, before any socket exists; it
	// is not the part of the program this lesson is about.
	sa, err := sock.Resolve(t.addr.Host, t.addr.Port)
	if err != nil {
		crash.Exit(err)
	}
	family := unix.AF_INET
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		crash.Exit(os.NewSyscallError("socket", err))
	}
	t.fd = fd
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		crash.Exit(os.NewSyscallError("fcntl", err))
	}
	switch err := unix.Connect(fd, sa); {
	case err == nil:
		t.connected()
	case errors.Is(err, unix.EINPROGRESS) || errors.Is(err, unix.EINTR):
		t.connecting = true
	default:
		crash.Exit(os.NewSyscallError("connect", err))
	}
}

// waitAndRead is one turn of the loop: wait in select() until at least one
// socket is ready, then serve every ready socket without blocking.
func waitAndRead(tasks []*task) error {
	var readable, writable unix.FdSet
	maxFd := -1
	for _, t := range tasks {
		if t.fd < 0 {
			continue
		}
		if t.fd >= unix.FD_SETSIZE {
			// select() cannot watch descriptors past FD_SETSIZE (the
			// reason poll and epoll exist).
			crash.Exit(fmt.Errorf("descriptor %d is too large for select()", t.fd))
		}
		if t.connecting {
			writable.Set(t.fd)
		} else {
			readable.Set(t.fd)
		}
		maxFd = max(maxFd, t.fd)
	}
	if maxFd < 0 {
		return nil
	}
	// No timeout: sleep until the operating system has news.
	if _, err := unix.Select(maxFd+1, &readable, &writable, nil, nil); err != nil {
		if errors.Is(err, unix.EINTR) {
			return nil
		}
		return err
	}
	for _, t := range tasks {
		switch {
		case t.fd < 0:
		case t.connecting && writable.IsSet(t.fd):
			t.finishConnect()
		case !t.connecting && readable.IsSet(t.fd):
			t.readAvailable()
		}
	}
	return nil
}

// finishConnect learns how the connect ended: SO_ERROR holds its errno.
func (t *task) finishConnect() {
	errno, err := unix.GetsockoptInt(t.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	switch {
	case err != nil:
		crash.Exit(os.NewSyscallError("getsockopt", err))
	case errno != 0:
		crash.Exit(os.NewSyscallError("connect", unix.Errno(errno)))
	default:
		t.connecting = false
		t.connected()
	}
}

// connected records the peer's address, which the per-read lines show.
// (The reactor's package is used here for its address conversion only:
// the loop is still this program's own.)
func (t *task) connected() {
	t.peer = t.addr.String()
	if sa, err := unix.Getpeername(t.fd); err == nil {
		t.peer = sock.TCPAddr(sa).String()
	}
}

// readAvailable reads what the socket has, stopping when a read would
// block (EAGAIN): the socket is drained, and the loop goes back to select.
// A turn that finds only end-of-file means the server has closed the
// connection: the poem is complete.
func (t *task) readAvailable() {
	var data []byte
	buf := make([]byte, 4096)
	eof := false
read:
	for {
		n, err := unix.Read(t.fd, buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			break read
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			crash.Exit(os.NewSyscallError("read", err))
		case n == 0:
			eof = true
			break read
		}
		data = append(data, buf[:n]...)
	}
	switch {
	case len(data) > 0:
		// If the end came with the data, the next select reports the
		// socket readable again and the next turn sees only the end.
		t.poem = append(t.poem, data...)
		fmt.Printf("Task %d: got %d bytes of poetry from %s\n", t.num, len(data), t.peer)
	case eof:
		t.close()
		fmt.Printf("Task %d finished\n", t.num)
	}
}

func (t *task) close() {
	if t.fd >= 0 {
		unix.Close(t.fd)
		t.fd = -1
	}
}
