package reactor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/coreos/go-systemd/v22/activation"
	"golang.org/x/sys/unix"

	"gyre/internal/sock"
)

// Socket activation: systemd (or systemd-socket-activate, or any
// supervisor speaking the protocol) opens the listening sockets, passes
// them as descriptors 3, 4, ... and says so in LISTEN_PID (this process),
// LISTEN_FDS (how many) and LISTEN_FDNAMES (their names, colon-separated).
//
// The variables are read by go-systemd's activation package, once per
// process (they describe descriptors that are handed over once), and
// unset as systemd asks, so that a child process does not think the
// sockets are its own. activation.Files gives *os.File values; the reactor
// watches raw non-blocking descriptors, so each endpoint takes a duplicate
// of the file's descriptor (the *os.File stays open, owned here): several
// reactors (gyre serve --loops) can then each listen on a duplicate of the
// same socket, and stopping one port does not close the socket under the
// others.

var systemdSockets struct {
	once  sync.Once
	files []*os.File
}

// activationFiles returns the sockets this process was handed, reading
// (and unsetting) the environment the first time.
func activationFiles() []*os.File {
	systemdSockets.once.Do(func() {
		systemdSockets.files = activation.Files(true)
	})
	return systemdSockets.files
}

// errNoActivation says that no sockets were passed.
var errNoActivation = errors.New("no sockets were passed by socket activation (LISTEN_PID is not this process or LISTEN_FDS is unset)")

// listenSystemd makes a Port of the socket the endpoint selects.
// The options that act on sockets (WithNoDelay, WithResetOnExit) apply to
// each accepted socket, never to the listening socket: that one is
// systemd's, kept across restarts of the service, and what one run set on
// it would be inherited by the connections of the next. For the same
// reason SO_LINGER is cleared on it, in case an earlier run left it set.
func listenSystemd(r *Reactor, e ServerEndpoint, factory Factory, opts ...ListenOption) (*Port, error) {
	var cfg listenConfig
	for _, o := range opts {
		o(&cfg)
	}
	what := "systemd:index=" + strconv.Itoa(e.Index)
	if e.Name != "" {
		what = "systemd:name=" + e.Name
	}
	lerr := func(err error) error { return &ListenError{Path: what, Err: err} }
	if factory == nil {
		// As ListenTCP and ListenUnix say, rather than a port whose
		// every connection is a nil-pointer panic.
		return nil, lerr(errNilFactory)
	}
	files := activationFiles()
	if len(files) == 0 {
		return nil, lerr(errNoActivation)
	}
	var f *os.File
	if e.Name != "" {
		for _, cand := range files {
			if cand.Name() == e.Name {
				f = cand
				break
			}
		}
		if f == nil {
			return nil, lerr(fmt.Errorf("no socket named %q among the %d passed", e.Name, len(files)))
		}
	} else {
		if e.Index >= len(files) {
			return nil, lerr(fmt.Errorf("index %d, but only %d socket(s) were passed (LISTEN_FDS)", e.Index, len(files)))
		}
		f = files[e.Index]
	}
	fd, err := dupListener(f)
	if err != nil {
		return nil, lerr(err)
	}
	if err := checkActivated(fd, e.Domain); err != nil {
		sock.Close(fd)
		return nil, lerr(err)
	}
	sock.ClearAbortOnClose(fd)
	p, err := r.newPort(fd, factory, what)
	if err != nil {
		sock.Close(fd)
		return nil, lerr(err)
	}
	if _, isUnix := p.Addr().(*net.UnixAddr); !isUnix { // no Nagle, no reset there
		cfg.applyToPort(p, false)
	}
	return p, nil
}

// dupListener duplicates f's descriptor (close on exec) and makes it
// non-blocking. The flag is the open file's, shared with f, which is
// never read from.
func dupListener(f *os.File) (int, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	if cerr := sc.Control(func(raw uintptr) {
		fd, derr = unix.FcntlInt(raw, unix.F_DUPFD_CLOEXEC, 0)
	}); cerr != nil {
		return -1, cerr
	}
	if derr != nil {
		return -1, os.NewSyscallError("fcntl", derr)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		sock.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// checkActivated makes sure fd is a listening stream socket of the domain
// the endpoint names, so that a unit file that passes the wrong socket
// fails at start-up with a clear message rather than at the first accept.
func checkActivated(fd int, domain string) error {
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return fmt.Errorf("descriptor %d is not a socket: %w", fd, os.NewSyscallError("getsockopt", err))
	}
	if typ != unix.SOCK_STREAM {
		return fmt.Errorf("the socket is not a stream socket (SO_TYPE %d); expected ListenStream=", typ)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	got := ""
	switch sa.(type) {
	case *unix.SockaddrInet4:
		got = "INET"
	case *unix.SockaddrInet6:
		got = "INET6"
	case *unix.SockaddrUnix:
		got = "UNIX"
	}
	if got != domain {
		return fmt.Errorf("domain=%s, but the socket passed is %s", domain, orUnknown(got))
	}
	if !isListening(fd) {
		return errors.New("the socket passed is not listening (Accept=yes units pass connections, not listeners)")
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "of another family"
	}
	return s
}
