// Command async-server is the slow poetry server rewritten the way the
// async client is written: one thread, non-blocking sockets and a
// hand-written select() loop, no framework. It answers the first exercise
// of part 11 of Dave Peticolas's Twisted tutorial (an asynchronous poetry
// server without the reactor), which has no original.
//
//	go run ./examples/async-server [--port P] [--iface I] [--delay S] [--num-bytes N] POEM-FILE
//
// It takes the same options and prints the same lines as the blocking
// server (examples/blocking-server), but serves every client at once:
// instead of sleeping between sends, it remembers when each client's next
// chunk is due and tells select() to wake it up then. While it waits,
// select() also watches the listening socket for new clients and, for a
// client whose socket buffer was full, the socket for room to write.
//
// When accept() fails, for want of a descriptor most often (ulimit -n),
// the clients stay in the listen queue and the listening socket stays
// readable: watched again at once, it would wake select() at once, in a
// spin. So the loop stops watching it for a tenth of a second, or until a
// client finishes and frees a descriptor, and says so once on stderr
// until the queue has been emptied again. A client beyond what select()
// can watch (FD_SETSIZE, 1024 descriptors) is turned away with a reset:
// a clean close would pass for a whole, empty poem.
//
// SIGINT, SIGTERM or SIGHUP stops it. The clients whose poems were still
// being sent are reset, not closed: a client that gets the end of the
// stream takes what it has for the whole poem, and a reset tells it the
// poem was cut. (A program killed by the signal's default action would
// have the kernel close its sockets cleanly.) The signal reaches the loop
// through a pipe that select() watches, the classic self-pipe.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"gyre/examples/internal/servercli"
	"gyre/internal/optparse"
	"gyre/internal/sock"
	"gyre/poetry"
)

const usage = `usage: %prog [options] poetry-file

This is the Slow Poetry Server, asynchronous edition.
Run it like this:

  go run . <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/async-server poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.
` + servercli.PoemsNote

// client is one reader being served.
type client struct {
	fd      int
	sent    int       // how much of the poem has been handed to the kernel
	pending []byte    // the part of the current chunk the kernel has not taken yet
	due     time.Time // when the next chunk (or, after the last, the close) is due
	closed  bool
}

// server is the whole state of the program: the select loop needs no more.
type server struct {
	opts     servercli.Slow
	listenFd int
	clients  []*client
	stopFd   int            // the read end of the self-pipe: a signal arrived
	stopped  chan os.Signal // which one

	// resting is when accept() may be tried again after it failed (zero:
	// the listening socket is watched); a client that finishes ends the
	// rest early. stuck: the failure was reported, and is not again
	// until the listen queue has been emptied.
	resting time.Time
	stuck   bool
}

// acceptPause is how long the listening socket is left alone after
// accept() failed, as in fastpoetry-exercise-2.
const acceptPause = 100 * time.Millisecond

func main() {
	// The slow server's options, shared by its editions (servercli): a bad
	// option or poetry file stops the program here, before it listens.
	opts := servercli.ParseSlow(optparse.New("slowpoetry", usage), os.Args[1:])
	s := &server{opts: opts}
	port, err := s.listen()
	if err != nil {
		fmt.Fprintf(os.Stderr, "slowpoetry: cannot listen on %s: %s\n",
			net.JoinHostPort(opts.Iface, strconv.Itoa(opts.Port)), poetry.Reason(err))
		os.Exit(1)
	}
	if err := s.watchSignals(); err != nil {
		fmt.Fprintf(os.Stderr, "slowpoetry: %s\n", poetry.Reason(err))
		os.Exit(1)
	}
	fmt.Printf("Serving %s on port %d.\n", opts.Poem.Path, port)
	for {
		stop, err := s.turn()
		if err != nil {
			fmt.Fprintf(os.Stderr, "slowpoetry: select: %s\n", poetry.Reason(err))
			os.Exit(1)
		}
		if stop {
			sig := <-s.stopped
			cut := s.cutAll()
			fmt.Fprintf(os.Stderr, "slowpoetry: %v: %d clients reset mid-poem\n", sig, cut)
			os.Exit(128 + int(sig.(syscall.Signal)))
		}
	}
}

// watchSignals makes the stopping signals wake select(): a goroutine of
// the runtime's receives them, and writes a byte into a pipe whose read
// end select() watches with the listening socket.
func (s *server) watchSignals() error {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil { // not Pipe2: macOS has none
		return err
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			return err
		}
	}
	s.stopFd = p[0]
	s.stopped = make(chan os.Signal, 1)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s.stopped <- <-sigs
		unix.Write(p[1], []byte{0})
	}()
	return nil
}

// cutAll resets every client still being served, and says how many.
func (s *server) cutAll() int {
	n := 0
	for _, c := range s.clients {
		if !c.closed {
			unix.SetsockoptLinger(c.fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
			s.drop(c)
			n++
		}
	}
	return n
}

// listen opens the non-blocking listening socket and returns its port.
func (s *server) listen() (int, error) {
	fd, port, err := servercli.Listen(s.opts.Iface, s.opts.Port, unix.SOMAXCONN)
	if err != nil {
		return 0, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return 0, err
	}
	s.listenFd = fd
	return port, nil
}

// turn is one round of the loop: sleep in select() until a client
// connects, a full socket has room again, the next chunk is due or a
// signal came; then do whatever is ready, without blocking. It reports
// whether a signal came.
func (s *server) turn() (bool, error) {
	var readable, writable unix.FdSet
	readable.Set(s.stopFd)
	maxFd := s.stopFd
	var next time.Time // the earliest due chunk, or the end of the rest
	if !s.resting.IsZero() && !time.Now().Before(s.resting) {
		s.resting = time.Time{}
	}
	if s.resting.IsZero() {
		readable.Set(s.listenFd)
		maxFd = max(maxFd, s.listenFd)
	} else {
		next = s.resting
	}
	for _, c := range s.clients {
		if len(c.pending) > 0 {
			writable.Set(c.fd)
			maxFd = max(maxFd, c.fd)
		} else if next.IsZero() || c.due.Before(next) {
			next = c.due
		}
	}
	var timeout *unix.Timeval
	if !next.IsZero() {
		tv := unix.NsecToTimeval(max(time.Until(next), 0).Nanoseconds())
		timeout = &tv
	}
	if _, err := unix.Select(maxFd+1, &readable, &writable, nil, timeout); err != nil {
		if errors.Is(err, unix.EINTR) {
			return false, nil
		}
		return false, err
	}
	if readable.IsSet(s.stopFd) {
		return true, nil
	}
	if s.resting.IsZero() && readable.IsSet(s.listenFd) {
		s.acceptAll()
	}
	now := time.Now()
	for _, c := range s.clients {
		switch {
		case c.closed:
		case len(c.pending) > 0:
			if writable.IsSet(c.fd) {
				s.flush(c)
			}
		case !now.Before(c.due):
			s.step(c, now)
		}
	}
	// Forget the clients that are done.
	kept := s.clients[:0]
	for _, c := range s.clients {
		if !c.closed {
			kept = append(kept, c)
		}
	}
	clear(s.clients[len(kept):])
	s.clients = kept
	return false, nil
}

// acceptAll takes every connection waiting in the listen queue.
func (s *server) acceptAll() {
	for {
		fd, sa, err := unix.Accept(s.listenFd)
		switch {
		case errors.Is(err, unix.EAGAIN):
			s.stuck = false // the queue is empty
			return
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
			continue
		case err != nil:
			// Out of descriptors, most likely. The clients waiting stay
			// in the listen queue, which keeps the socket readable:
			// rest it, or select() would return at once, again and
			// again.
			s.resting = time.Now().Add(acceptPause)
			if !s.stuck {
				s.stuck = true
				fmt.Fprintf(os.Stderr, "slowpoetry: accept: %s; the clients waiting are taken as others finish\n", poetry.Reason(err))
			}
			return
		}
		if fd >= unix.FD_SETSIZE {
			// select() cannot watch it: the limit that poll and epoll
			// remove. A reset, not a close, so that the client does
			// not take the end of the stream for an empty poem.
			unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
			unix.Close(fd)
			fmt.Fprintf(os.Stderr, "slowpoetry: too many clients for select(); turned one away\n")
			continue
		}
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
			continue
		}
		fmt.Printf("Somebody at %s wants poetry!\n", poetry.SocketTuple(sock.TCPAddr(sa)))
		s.clients = append(s.clients, &client{fd: fd, due: time.Now()})
	}
}

// step does what is due for a client: send its next chunk, or close the
// connection when the whole poem has gone and the pause after the last
// chunk is over (the blocking server also sleeps after its last send).
func (s *server) step(c *client, now time.Time) {
	poem := s.opts.Poem.Data
	if c.sent == len(poem) {
		s.drop(c)
		return
	}
	n := poetry.ChunkLen(poem[c.sent:], s.opts.NumBytes)
	fmt.Printf("Sending %d bytes\n", n)
	c.pending = poem[c.sent : c.sent+n]
	c.sent += n
	c.due = now.Add(s.opts.Delay)
	s.flush(c)
}

// flush writes as much of the pending chunk as the kernel takes now. If
// the client's socket buffer is full, the rest waits for select() to say
// there is room. A failed write means the client went away: the poem ends
// there, quietly.
func (s *server) flush(c *client) {
	for len(c.pending) > 0 {
		n, err := unix.Write(c.fd, c.pending)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			s.drop(c)
			return
		}
		c.pending = c.pending[n:]
	}
}

// drop closes a client's connection. Its descriptor is free again: a
// listening socket resting for want of one is watched again at once.
func (s *server) drop(c *client) {
	unix.Close(c.fd)
	c.closed = true
	c.pending = nil
	s.resting = time.Time{}
}
