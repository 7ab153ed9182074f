package reactor

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"gyre/internal/sock"
)

// DefaultUnixMode is the file mode of a Unix socket made by ListenUnix
// when WithMode is not given (Twisted's default, before the umask is
// ignored: the mode is set explicitly, whatever the umask).
const DefaultUnixMode os.FileMode = 0o666

// WithMode sets the permissions of the socket file ListenUnix makes (who
// may connect: write permission is what connect(2) checks).
func WithMode(mode os.FileMode) ListenOption {
	return func(c *listenConfig) { c.mode = mode }
}

// ListenUnix listens on a Unix stream socket at path and serves each
// connection with a protocol from factory, exactly as ListenTCP serves
// TCP ones (the connections are *Conn, the same transport; Peer and Host
// are *net.UnixAddr).
//
// A socket file left behind by a process that died (nobody accepts on
// it: connecting is refused) is removed and replaced. A socket somebody
// is listening on is never taken over: that is a *ListenError wrapping
// EADDRINUSE, as is a path that exists and is not a socket. Servers
// starting at once on one path (in this process or in others) take turns
// under a lock on the directory, so that one of them listens there and
// the others get EADDRINUSE: none takes the file another has just made
// and not yet listened on for a dead server's. The file gets
// the mode given by WithMode (DefaultUnixMode otherwise) before anyone can
// connect, and is removed when the port stops listening, unless another
// file has taken its place meanwhile (somebody removed it and another
// server bound there): that one is left to its owner.
//
// A Unix stream socket cannot be reset: an aborted connection (see
// Transport.AbortConnection) reaches its peer as an end of stream, so a
// protocol whose close ends its message cannot tell the peer it was cut.
//
// On Linux a path starting with '@' names a socket in the abstract
// namespace (as in package net): there is no file, so nothing is replaced,
// WithMode does not apply (anyone in the network namespace may connect)
// and nothing is removed; the name is free again once the port stops.
// Such a name may be 108 bytes long with its '@', a file's path 107 (it
// needs a terminating NUL in the address, which an abstract name does
// not).
func (r *Reactor) ListenUnix(path string, factory Factory, opts ...ListenOption) (*Port, error) {
	r.checkLoop("ListenUnix")
	cfg := listenConfig{mode: DefaultUnixMode}
	for _, o := range opts {
		o(&cfg)
	}
	lerr := func(err error) error { return &ListenError{Path: path, Err: err} }
	if factory == nil {
		return nil, lerr(errors.New("nil factory"))
	}
	if path == "" {
		return nil, lerr(errors.New("empty path"))
	}
	sa, err := sock.UnixSockaddr(path)
	if err != nil {
		return nil, lerr(err)
	}
	abstract := sock.AbstractUnixName(path)
	if !abstract {
		defer lockSocketDir(path)() // see unix_lock.go
	}
	// remove undoes the bind on a failure: the file exists from bind on.
	remove := func() {
		if !abstract {
			os.Remove(path)
		}
	}
	fd, err := sock.Socket(unix.AF_UNIX, unix.SOCK_STREAM)
	if err != nil {
		return nil, lerr(err)
	}
	fail := func(err error) (*Port, error) {
		sock.Close(fd)
		return nil, lerr(err)
	}
	err = sock.Bind(fd, sa)
	if err == unix.EADDRINUSE && !abstract && staleSocket(path) {
		// Nobody listens there: a dead server's file. Replace it.
		if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return fail(rerr)
		}
		err = sock.Bind(fd, sa)
	}
	if err != nil {
		return fail(err)
	}
	// The socket exists from bind on, but nobody can connect before
	// listen: set the mode in between.
	var made os.FileInfo
	if !abstract {
		if err := os.Chmod(path, cfg.mode); err != nil {
			remove()
			return fail(err)
		}
		if made, err = os.Lstat(path); err != nil {
			remove()
			return fail(err)
		}
	}
	backlog := cfg.backlog
	if backlog <= 0 {
		backlog = sock.ListenBacklog()
	}
	if err := unix.Listen(fd, backlog); err != nil {
		remove()
		return fail(err)
	}
	p, err := r.newPort(fd, factory, path)
	if err != nil {
		remove()
		return fail(err)
	}
	if !abstract {
		p.unlink, p.unlinkID = path, made
	}
	return p, nil
}

// removeSocketFile removes a stopping port's socket file, if the file at
// path is still the one its bind made. Somebody may have removed it
// meanwhile (a cleaner of /tmp, an operator) and another server bound a
// socket of its own there: removing that one would leave a live server
// that nobody can reach. The comparison is by inode, so it must run while
// the port's socket is still open: closed, its inode may be given to that
// other file.
func removeSocketFile(path string, made os.FileInfo) {
	if now, err := os.Lstat(path); err == nil && os.SameFile(now, made) {
		os.Remove(path)
	}
}

// staleSocket reports whether path is a socket file nobody listens on: it
// is a socket, and connecting to it is refused. Anything else (a live
// socket, a regular file, a permission error) is left alone.
func staleSocket(path string) bool {
	st, err := os.Lstat(path)
	if err != nil || st.Mode().Type() != fs.ModeSocket {
		return false
	}
	fd, err := sock.Socket(unix.AF_UNIX, unix.SOCK_STREAM)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	// A blocking connect on a Unix socket does not wait for accept: it
	// succeeds at once when a listener has room in its queue, blocks only
	// when the queue is full (which means somebody is listening, so a
	// non-blocking one answers EAGAIN: live), and is refused when nobody
	// listens.
	err = unix.Connect(fd, &unix.SockaddrUnix{Name: path})
	return err == syscall.ECONNREFUSED
}
