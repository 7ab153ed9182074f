// Command fastpoetry-exercise-2 answers the second exercise of part 11 of
// Dave Peticolas's Twisted tutorial: the fast poetry server (../fastpoetry)
// written against the reactor's low-level API, as client 1.0 was in part 4,
// with no ListenTCP, no protocol and no factory.
//
//	go run ./examples/twisted-server-1/fastpoetry-exercise-2 [--port P] [--iface I] POEM-FILE
//	go run ./examples/twisted-server-1/fastpoetry-exercise-2 --port 10000 poetry/poems/library.txt
//
// # What ListenTCP did for us
//
// Everything the reactor's TCP port and transports do, the program does
// itself here, and the reactor only says when:
//
//   - The listening socket is the program's: socket(), bind(), listen(),
//     non-blocking. A ListeningSocket is a reactor.ReadDescriptor, handed
//     to AddReader. A listening socket is "readable" when a connection is
//     waiting, so its DoRead accepts: accept() until EAGAIN, each new
//     socket made non-blocking at once.
//   - Each client is a PoetryClient, a reactor.WriteDescriptor (and a
//     ReadDescriptor too) handed to AddWriter and AddReader. DoWrite is
//     called when the socket can take more; it writes as much of the poem
//     as the kernel takes, never waiting, and remembers where it stopped.
//     When the last byte is in the kernel it returns ErrConnectionDone and
//     the reactor drops the client; ConnectionLost closes the socket, and
//     the client reads the end of the poem.
//   - DoRead reads what the client sends and drops it (a client of the
//     poetry protocol has nothing to say; unread data would make the close
//     a reset). A client that hangs up reads as end of file: the reactor
//     drops it and nothing more is written.
//   - A poem cut short (the client reset the connection, or the server is
//     stopped in the middle) ends with an abort: SO_LINGER 0 and close, so
//     that the client sees a reset, never a clean end that would pass for
//     the whole poem.
//   - When accept() fails for lack of descriptors the listening socket
//     would stay readable and DoRead be called again at once, in a spin.
//     So the program stops reading it, and listens again a tenth of a
//     second later (CallLater).
//
// # Output and errors
//
// As ../fastpoetry: one line once listening,
//
//	Serving poetry/poems/library.txt on IPv4Address(type='TCP', host='127.0.0.1', port=10000).
//
// and nothing per client; the same command line and usage errors (exit
// status 2). A socket that cannot be made, bound or listened on is one
// line, "fastpoetry-exercise-2: cannot listen on ADDR: REASON", exit
// status 1. Ctrl-C or SIGTERM stop the reactor, exit status 0.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"gyre/examples/internal/servercli"
	"gyre/internal/optparse"
	"gyre/internal/sock"
	"gyre/poetry"
	"gyre/reactor"
)

const usage = `usage: %prog [options] poetry-file

This is the Fast Poetry Server, on the reactor's low-level API: its
own listening socket, accepted and written to as the reactor says.
Run it like this:

  go run . <path-to-poetry-file>

From the base directory of gyre, you could run it like this:

  go run ./examples/twisted-server-1/fastpoetry-exercise-2 --port 10000 poetry/poems/library.txt

to serve up the Library, which I know you want to do.
`

// acceptPause is how long the listening socket rests after accept() found
// no descriptor free.
const acceptPause = 100 * time.Millisecond

// maxAcceptsPerTurn bounds the accepts of one DoRead, so that a flood of
// connections does not keep the loop from the clients already accepted.
const maxAcceptsPerTurn = 64

func main() {
	p := optparse.New("fastpoetry-exercise-2", usage)
	port, iface := servercli.ListenOptions(p)
	args := p.Parse(os.Args[1:])
	if len(args) != 1 {
		p.Error("Provide exactly one poetry file.")
	}
	servercli.CheckPort(p, *port)
	poem, err := servercli.LoadPoem(args[0], 0)
	if err != nil {
		p.Error(err.Error())
	}

	r, err := reactor.New(reactor.WithSignalHandling())
	if err != nil {
		fail(err)
	}
	addr := net.JoinHostPort(*iface, strconv.Itoa(*port))
	ls, err := Listen(r, addr, poem.Data)
	if err != nil {
		fail(fmt.Errorf("cannot listen on %s: %s", addr, poetry.Reason(err)))
	}
	if err := r.AddReader(ls); err != nil {
		fail(err)
	}
	fmt.Printf("Serving %s on %s.\n", poem.Path, reactor.AddressRepr(ls.Addr()))
	if err := r.Run(); err != nil {
		fail(err)
	}
}

// fail reports an error that stops the server, in one line, and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "fastpoetry-exercise-2:", err)
	os.Exit(1)
}

// ListeningSocket accepts the clients and starts serving each.
type ListeningSocket struct {
	reactor *reactor.Reactor
	fd      int
	poem    []byte
	addr    *net.TCPAddr
}

// Listen makes a non-blocking socket listening on addr ("host:port").
func Listen(r *reactor.Reactor, addr string, poem []byte) (*ListeningSocket, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, err
	}
	family, sa := unix.AF_INET, unix.Sockaddr(nil)
	if ip4 := ta.IP.To4(); ip4 != nil || ta.IP == nil {
		s4 := &unix.SockaddrInet4{Port: ta.Port}
		copy(s4.Addr[:], ip4)
		sa = s4
	} else {
		family = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: ta.Port}
		copy(s6.Addr[:], ta.IP.To16())
		sa = s6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	unix.CloseOnExec(fd)
	ls := &ListeningSocket{reactor: r, fd: fd, poem: poem}
	if err := ls.bindAndListen(sa); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return ls, nil
}

func (ls *ListeningSocket) bindAndListen(sa unix.Sockaddr) error {
	if err := unix.SetNonblock(ls.fd, true); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	// As Twisted's ports: a restarted server may take its port back at
	// once, though connections of the last run linger in TIME_WAIT.
	if err := unix.SetsockoptInt(ls.fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if err := unix.Bind(ls.fd, sa); err != nil {
		return os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(ls.fd, 128); err != nil {
		return os.NewSyscallError("listen", err)
	}
	bound, err := unix.Getsockname(ls.fd)
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	ls.addr = sock.TCPAddr(bound)
	return nil
}

// Addr is the address the socket listens on, its port chosen by the
// system if --port was 0.
func (ls *ListeningSocket) Addr() *net.TCPAddr { return ls.addr }

// Fd is the listening socket.
func (ls *ListeningSocket) Fd() int { return ls.fd }

// LogPrefix names the socket in the reactor's log.
func (ls *ListeningSocket) LogPrefix() string { return "poetry-listener" }

// DoRead accepts the connections waiting, a bounded number per turn; those
// left are accepted on the next turn (the socket stays readable).
func (ls *ListeningSocket) DoRead() error {
	for range maxAcceptsPerTurn {
		fd, _, err := unix.Accept(ls.fd)
		switch {
		case err == nil:
			unix.CloseOnExec(fd)
			if err := unix.SetNonblock(fd, true); err != nil {
				unix.Close(fd)
				continue
			}
			ls.serve(fd)
		case errors.Is(err, unix.EAGAIN):
			return nil // nobody else waiting
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
			// A signal, or a client that left while queued: next.
		case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE),
			errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
			ls.rest()
			return nil
		default:
			return os.NewSyscallError("accept", err)
		}
	}
	return nil
}

// rest stops accepting for acceptPause: the clients waiting stay in the
// listen queue until descriptors are free again.
func (ls *ListeningSocket) rest() {
	ls.reactor.RemoveReader(ls)
	ls.reactor.CallLater(acceptPause, func() {
		if ls.fd >= 0 {
			ls.reactor.AddReader(ls)
		}
	})
}

// serve registers a new client for writing (the poem) and reading (to
// notice it leaving).
func (ls *ListeningSocket) serve(fd int) {
	c := &PoetryClient{reactor: ls.reactor, fd: fd, rest: ls.poem}
	if err := ls.reactor.AddWriter(c); err != nil {
		c.abort()
		return
	}
	if err := ls.reactor.AddReader(c); err != nil {
		ls.reactor.RemoveWriter(c)
		c.abort()
	}
}

// ConnectionLost closes the listening socket: the reactor has dropped it
// (it is stopping, or accept failed for good).
func (ls *ListeningSocket) ConnectionLost(reason error) {
	if ls.fd >= 0 {
		unix.Close(ls.fd)
		ls.fd = -1
	}
	if !errors.Is(reason, reactor.ErrConnectionLost) {
		fmt.Fprintln(os.Stderr, "fastpoetry-exercise-2: no longer listening:", reason)
	}
}

// PoetryClient sends the poem to one client.
type PoetryClient struct {
	reactor *reactor.Reactor
	fd      int
	rest    []byte // what the kernel has not taken yet
}

// Fd is the client's socket.
func (c *PoetryClient) Fd() int { return c.fd }

// LogPrefix names the client in the reactor's log.
func (c *PoetryClient) LogPrefix() string { return "poetry-client" }

// DoWrite hands the kernel as much of the rest of the poem as it takes.
// Once it has taken the last byte, the poem is done.
func (c *PoetryClient) DoWrite() error {
	for len(c.rest) > 0 {
		n, err := unix.Write(c.fd, c.rest)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return nil // full: the reactor calls again when there is room
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return os.NewSyscallError("write", err)
		}
		c.rest = c.rest[n:]
	}
	return reactor.ErrConnectionDone
}

// DoRead drops what the client sends; its end of file (or an error) means
// it has gone.
func (c *PoetryClient) DoRead() error {
	buf := c.reactor.ReadBuffer()
	for {
		n, err := unix.Read(c.fd, buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return os.NewSyscallError("read", err)
		case n == 0:
			return errClientLeft
		}
	}
}

// errClientLeft is why a client that hung up before the end is dropped.
var errClientLeft = errors.New("the client left before the end of the poem")

// ConnectionLost closes the socket: cleanly when the whole poem is in the
// kernel, else with an abort, so that a poem cut short is never taken for
// a whole one.
func (c *PoetryClient) ConnectionLost(reason error) {
	if c.fd < 0 {
		return
	}
	if errors.Is(reason, reactor.ErrConnectionDone) && len(c.rest) == 0 {
		c.discardInput()
		unix.Close(c.fd)
		c.fd = -1
		return
	}
	c.abort()
}

// discardInput reads and drops what the client sent since the last DoRead,
// right before a clean close. Closing a socket with unread input makes the
// kernel send a reset, not the end of the stream, and the reset throws away
// what the client has not read yet: the end of the poem. Bounded by the
// socket's receive buffer; a client still sending after that gets the
// reset, as it would from the reactor's own TCP transport.
func (c *PoetryClient) discardInput() {
	buf := c.reactor.ReadBuffer()
	for dropped := 0; dropped < maxDiscardOnClose; {
		n, err := unix.Read(c.fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		dropped += n
	}
}

// maxDiscardOnClose bounds what discardInput drops, so that a client that
// never stops sending cannot hold the loop.
const maxDiscardOnClose = 16 << 20

// abort closes the socket with a reset.
func (c *PoetryClient) abort() {
	unix.SetsockoptLinger(c.fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	unix.Close(c.fd)
	c.fd = -1
}
