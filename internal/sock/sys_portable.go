//go:build unix && !linux

package sock

import (
	"errors"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The portable socket primitives, for the systems without Linux's
// one-call variants: flags are set with fcntl under syscall.ForkLock, as
// the standard library does, so that a fork in between cannot leak the
// descriptor into a child.

// Socket makes a non-blocking, close-on-exec socket of the given domain
// and type.
func Socket(domain, typ int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(domain, typ, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// SockaddrBuf is the scratch space of Accept, RecvFrom and SendTo (none
// is needed here: package unix converts the addresses).
type SockaddrBuf struct{}

// RecvFrom reads one datagram into buf from the non-blocking socket fd
// and stores its sender's address in from. truncated says the datagram
// was longer than buf, which holds its first n bytes only: recvmsg's
// MSG_TRUNC flag (POSIX), where recvfrom would not tell.
func RecvFrom(fd int, buf []byte, _ *SockaddrBuf, from *Addr) (n int, truncated bool, err error) {
	n, _, flags, sa, err := unix.Recvmsg(fd, buf, nil, 0)
	if err != nil {
		return 0, false, err
	}
	from.FromSockaddr(sa)
	return n, flags&unix.MSG_TRUNC != 0, nil
}

// SendTo sends data as one datagram from the non-blocking socket fd, of
// domain, to ap (zone is the IPv6 scope id).
func SendTo(fd, domain int, data []byte, _ *SockaddrBuf, ap netip.AddrPort, zone uint32) error {
	var sa unix.Sockaddr
	if domain == unix.AF_INET {
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().Unmap().As4()}
	} else {
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16(), ZoneId: zone}
	}
	return unix.Sendto(fd, data, 0, sa)
}

// Accept takes one connection from the listening socket lfd, non-blocking
// and close-on-exec, and stores the peer's address.
func Accept(lfd int, _ *SockaddrBuf, peer *Addr) (int, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, err
	}
	peer.FromSockaddr(sa)
	return nfd, nil
}

// MaxIovecs bounds the buffers one Writev takes.
const MaxIovecs = 1024

// NoDelayInherited is false where an accepted socket is not known to
// start with the listener's TCP_NODELAY: it is set on each.
const NoDelayInherited = false

// LingerInherited is false likewise for SO_LINGER.
const LingerInherited = false

// Iovecs is Writev's scratch vector, unused here.
type Iovecs struct{}

// Writev writes the buffers one write(2) at a time, stopping at the first
// partial write: writev is not in x/sys on every system, and this path is
// not the one gyre's performance is measured on.
func (*Iovecs) Writev(fd int, bufs [][]byte) (int, error) {
	total := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		n, err := unix.Write(fd, b)
		if n > 0 {
			total += n
		}
		if err != nil {
			if total > 0 && err == unix.EAGAIN {
				return total, nil
			}
			return total, err
		}
		if n < len(b) {
			break
		}
	}
	return total, nil
}

// SetKeepAlivePeriod is Linux only: elsewhere it returns
// errors.ErrUnsupported.
func SetKeepAlivePeriod(int, time.Duration) error { return errors.ErrUnsupported }

// Read, Write and Close are the socket calls of a connection (Linux makes
// them without the scheduler's bookkeeping; see sys_linux.go).

// Read is read(2).
func Read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// Write is write(2).
func Write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

// Close is close(2).
func Close(fd int) error { return unix.Close(fd) }

// MSG_MORE is Linux's: elsewhere Write during ConnectionMade writes at
// once and there is nothing to release.
func WriteMore(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

// ReleaseHeld has nothing to release here.
func ReleaseHeld(int) {}

// AcceptDelay is known on Linux only: 0 here.
func AcceptDelay(int) time.Duration { return 0 }
