package sock

import (
	"net/netip"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux socket primitives, made as system calls of their own so that the
// accept path converts no address it does not need and writev needs no
// allocation.
//
// The calls on sockets (accept4, read, write, writev, close) use
// RawSyscall: they are made on non-blocking descriptors, so they never
// block, and a plain Syscall would tell the Go scheduler the goroutine may
// block (entersyscall/exitsyscall). That costs more than the call itself
// when a fast server makes three of them per connection: the runtime's
// monitor thread (sysmon) sees the loop in system calls all the time, keeps
// waking every 20 µs to check on it (a nanosleep per connection served, in
// strace) and hands the processor off to another thread when a call spans
// one of its ticks. The wait itself (epoll_wait, in the backend) and
// sendfile(2), which reads a file that may not be in the page cache, stay
// ordinary blocking calls.

// Socket makes a non-blocking, close-on-exec socket of the given domain
// (AF_INET, AF_INET6, AF_UNIX) and type (SOCK_STREAM, SOCK_DGRAM) in one
// call.
func Socket(domain, typ int) (int, error) {
	fd, err := unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	return fd, nil
}

// SockaddrBuf is the raw socket address that accept4, recvfrom and
// sendto fill or read; a port owns one, so that accepting, receiving and
// sending a datagram allocate nothing.
type SockaddrBuf struct {
	rsa unix.RawSockaddrAny
	len uint32
}

// decode stores the address the kernel wrote into s in a.
func (s *SockaddrBuf) decode(a *Addr) {
	switch s.rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&s.rsa))
		a.SetIPv4(sa.Addr, networkPort(&sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&s.rsa))
		a.SetIPv6(sa.Addr, networkPort(&sa.Port), sa.Scope_id)
	case unix.AF_UNIX:
		a.SetUnix()
	default:
		a.family = 0
	}
}

// encode writes ap (with IPv6 scope id zone) into s for a socket of
// domain, AF_INET or AF_INET6 (an IPv4 address is written IPv4-mapped for
// the latter), and returns the length to pass to the kernel.
func (s *SockaddrBuf) encode(domain int, ap netip.AddrPort, zone uint32) uint32 {
	if domain == unix.AF_INET {
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&s.rsa))
		*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: ap.Addr().Unmap().As4()}
		putNetworkPort(&sa.Port, ap.Port())
		return unix.SizeofSockaddrInet4
	}
	sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&s.rsa))
	*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ap.Addr().As16(), Scope_id: zone}
	putNetworkPort(&sa.Port, ap.Port())
	return unix.SizeofSockaddrInet6
}

// Accept takes one connection from the listening socket lfd, non-blocking
// and close-on-exec from birth (accept4), and stores the peer's address.
func Accept(lfd int, s *SockaddrBuf, peer *Addr) (int, error) {
	s.len = unix.SizeofSockaddrAny
	nfd, _, e := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(lfd),
		uintptr(unsafe.Pointer(&s.rsa)), uintptr(unsafe.Pointer(&s.len)),
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, e
	}
	s.decode(peer)
	return int(nfd), nil
}

// RecvFrom reads one datagram into buf from the non-blocking socket fd
// and stores its sender's address in from. truncated says the datagram
// was longer than buf, which holds its first n bytes only (the kernel
// drops the rest). MSG_TRUNC makes recvfrom return the datagram's real
// length, so that telling costs nothing.
func RecvFrom(fd int, buf []byte, s *SockaddrBuf, from *Addr) (n int, truncated bool, err error) {
	s.len = unix.SizeofSockaddrAny
	size, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd),
		uintptr(unsafe.Pointer(unsafe.SliceData(buf))), uintptr(len(buf)), unix.MSG_TRUNC,
		uintptr(unsafe.Pointer(&s.rsa)), uintptr(unsafe.Pointer(&s.len)))
	if e != 0 {
		return 0, false, e
	}
	s.decode(from)
	if int(size) > len(buf) {
		return len(buf), true, nil
	}
	return int(size), false, nil
}

// SendTo sends data as one datagram from the non-blocking socket fd, of
// domain, to ap (zone is the IPv6 scope id).
func SendTo(fd, domain int, data []byte, s *SockaddrBuf, ap netip.AddrPort, zone uint32) error {
	l := s.encode(domain, ap, zone)
	_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd),
		uintptr(unsafe.Pointer(unsafe.SliceData(data))), uintptr(len(data)), 0,
		uintptr(unsafe.Pointer(&s.rsa)), uintptr(l))
	if e != 0 {
		return e
	}
	return nil
}

// networkPort reads a port stored in network byte order.
func networkPort(p *uint16) int {
	b := (*[2]byte)(unsafe.Pointer(p))
	return int(b[0])<<8 | int(b[1])
}

// putNetworkPort stores port in network byte order.
func putNetworkPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}

// MaxIovecs is IOV_MAX on Linux: writev takes at most this many buffers.
const MaxIovecs = 1024

// NoDelayInherited says that an accepted socket starts with the listening
// socket's TCP_NODELAY: Linux builds it as a copy of the listener, so one
// setsockopt on the listener saves one per connection.
const NoDelayInherited = true

// LingerInherited says the same of SO_LINGER.
const LingerInherited = true

// Iovecs is the scratch vector of Writev, kept by its owner (one per
// loop) so that writing allocates nothing.
type Iovecs struct{ v []unix.Iovec }

// Writev writes bufs with one writev(2), using iov for the vector; it
// returns the bytes written (at most MaxIovecs buffers are taken). The vector is cleared afterwards so
// it does not keep the caller's buffers alive.
func (iov *Iovecs) Writev(fd int, bufs [][]byte) (int, error) {
	v := iov.v[:0]
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		if len(v) == MaxIovecs {
			break
		}
		v = append(v, unix.Iovec{Base: &b[0]})
		v[len(v)-1].SetLen(len(b))
	}
	iov.v = v
	if len(v) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&v[0])), uintptr(len(v)))
	clear(v)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// SetKeepAlivePeriod sets the idle time before the first probe and the
// interval between probes, in whole seconds (at least one).
func SetKeepAlivePeriod(fd int, d time.Duration) error {
	secs := max(int((d+time.Second-1)/time.Second), 1)
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, secs))
}

// Read, Write and Close are read(2), write(2) and close(2) on a
// non-blocking socket, without the scheduler's syscall bookkeeping.
func Read(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func Write(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// WriteMore is write(2) with MSG_MORE: the kernel keeps a last partial
// segment back, expecting more. Conn.Write uses it while ConnectionMade
// runs, because a server that writes there often closes right after: the
// close then sends its FIN in the same segment as the data, one packet
// (and one wake-up of the peer) fewer per connection. A connection that
// stays open is released by ReleaseHeld once ConnectionMade returns.
func WriteMore(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(ptr), uintptr(len(p)),
		unix.MSG_MORE|unix.MSG_NOSIGNAL, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// ReleaseHeld sends what WriteMore held back: clearing TCP_CORK pushes
// the pending segments even when the cork was never set. An error only
// means the socket is gone, which its next read or write reports.
func ReleaseHeld(fd int) {
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_CORK, 0)
}

func Close(fd int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); e != 0 {
		return e
	}
	return nil
}

// AcceptDelay reads how long ago the kernel last received an ACK on fd
// (TCP_INFO's tcpi_last_ack_recv, in milliseconds, counted in kernel clock
// ticks). For a connection just accepted, whose peer has sent nothing yet,
// that ACK is the last of the handshake: the time is how long the
// connection waited in the listen queue.
func AcceptDelay(fd int) time.Duration {
	var info unix.TCPInfo
	size := uint32(unsafe.Sizeof(info))
	_, _, e := unix.RawSyscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.IPPROTO_TCP, unix.TCP_INFO,
		uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0)
	if e != 0 || size < uint32(unsafe.Offsetof(info.Last_ack_recv)+4) {
		return 0
	}
	return time.Duration(info.Last_ack_recv) * time.Millisecond
}
