package sock

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Socket options and the other calls a transport makes once per socket
// (not per read or write), each returning an *os.SyscallError naming the
// call, or the bare unix.Errno where the caller matches it.

// SetReuseAddr sets SO_REUSEADDR, so that a restarted server can listen
// again at once.
func SetReuseAddr(fd int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
}

// SetNoDelay sets or clears TCP_NODELAY.
func SetNoDelay(fd int, on bool) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, boolInt(on)))
}

// SetKeepAlive sets or clears SO_KEEPALIVE.
func SetKeepAlive(fd int, on bool) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, boolInt(on)))
}

// SetAbortOnClose sets SO_LINGER to zero: close(2) then drops unsent data
// and sends a reset (TCP's abort). An error only means the socket is
// already gone.
func SetAbortOnClose(fd int) {
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
}

// ClearAbortOnClose turns SO_LINGER off again: close(2) ends the stream
// cleanly, sending what is buffered.
func ClearAbortOnClose(fd int) {
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{})
}

// ListenerAbortOnClose sets SO_LINGER to zero on a listening socket, for
// the sockets it accepts to inherit (where LingerInherited), and reports
// the error.
func ListenerAbortOnClose(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}))
}

// ShutdownWrite shuts the write side of a connected socket: the peer reads
// end of file. A socket that is not connected (any more) is not an error.
func ShutdownWrite(fd int) error {
	if err := unix.Shutdown(fd, unix.SHUT_WR); err != nil && err != unix.ENOTCONN {
		return err
	}
	return nil
}

// PendingError reads and clears SO_ERROR: how a non-blocking connect(2)
// ended (nil: it succeeded).
func PendingError(fd int) error {
	errno, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if errno != 0 {
		return unix.Errno(errno)
	}
	return nil
}

// LocalAddr is getsockname(2) as an Addr (unknown on failure or for a
// family that is not IP).
func LocalAddr(fd int) (Addr, error) {
	var a Addr
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return a, err
	}
	a.FromSockaddr(sa)
	return a, nil
}

// LocalNetAddr is getsockname(2) as a net.Addr: *net.TCPAddr for IPv4 and
// IPv6, *net.UnixAddr for a Unix socket, nil for anything else.
func LocalNetAddr(fd int) (net.Addr, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, err
	}
	return NetAddr(sa), nil
}

// NetAddr converts a stream socket's address to a net.Addr, as
// LocalNetAddr does.
func NetAddr(sa unix.Sockaddr) net.Addr {
	if u := UnixAddr(sa, "unix"); u != nil {
		return u
	}
	if t := TCPAddr(sa); t != nil {
		return t
	}
	return nil
}

// Getsockname is getsockname(2).
func Getsockname(fd int) (unix.Sockaddr, error) { return unix.Getsockname(fd) }

// Connect starts connect(2) on a non-blocking socket, retrying an
// interruption; unix.EINPROGRESS means it goes on in the background.
func Connect(fd int, sa unix.Sockaddr) error {
	for {
		err := connect(fd, sa)
		if err != unix.EINTR {
			return err
		}
	}
}

func connect(fd int, sa unix.Sockaddr) error {
	if full, ok := fullAbstract(sa); ok {
		return syscall.Connect(fd, full)
	}
	return unix.Connect(fd, sa)
}

// Bind is bind(2).
func Bind(fd int, sa unix.Sockaddr) error {
	if full, ok := fullAbstract(sa); ok {
		return syscall.Bind(fd, full)
	}
	return unix.Bind(fd, sa)
}

// Listen is listen(2).
func Listen(fd, backlog int) error { return unix.Listen(fd, backlog) }

// DupLow duplicates fd onto the lowest free descriptor, close-on-exec.
func DupLow(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}

// Socket types for Socket, and the errors a transport matches, named here
// so that the transports need not import x/sys for them.
const (
	Stream   = unix.SOCK_STREAM
	Datagram = unix.SOCK_DGRAM

	EAGAIN      = unix.EAGAIN
	EINTR       = unix.EINTR
	EINPROGRESS = unix.EINPROGRESS
)

// AcceptVerdict says what a listening port does after accept(2) failed
// with err.
type AcceptVerdict uint8

const (
	// AcceptStop: nothing more is waiting (EAGAIN).
	AcceptStop AcceptVerdict = iota
	// AcceptSkip: that connection died in the queue, or the network under
	// it; the next may be fine.
	AcceptSkip
	// AcceptBackOff: the process or system ran out of descriptors or
	// memory; pause, then retry.
	AcceptBackOff
	// AcceptFatal: the listening socket itself failed.
	AcceptFatal
)

// ClassifyAccept sorts the errors of accept(2).
func ClassifyAccept(err error) AcceptVerdict {
	switch err {
	case unix.EAGAIN:
		return AcceptStop
	case unix.EINTR, unix.ECONNABORTED, unix.EPROTO, unix.EPERM,
		unix.ENETDOWN, unix.ENOPROTOOPT, unix.EHOSTDOWN, unix.ENETUNREACH,
		unix.EHOSTUNREACH, unix.EOPNOTSUPP:
		return AcceptSkip
	case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
		return AcceptBackOff
	}
	return AcceptFatal
}

var (
	backlogOnce sync.Once
	backlogSize int
)

// ListenBacklog is net.core.somaxconn (the most listen(2) will grant), read
// once; 4096 when it cannot be read (other systems, a sandbox).
func ListenBacklog() int {
	backlogOnce.Do(func() {
		backlogSize = 4096
		data, err := os.ReadFile("/proc/sys/net/core/somaxconn")
		if err != nil {
			return
		}
		if n, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && n > 0 {
			// Kernels before 4.1 keep the backlog in 16 bits.
			backlogSize = min(n, 1<<16-1)
		}
	})
	return backlogSize
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
