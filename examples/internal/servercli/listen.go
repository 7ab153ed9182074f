package servercli

import (
	"context"
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"gyre/internal/sock"
)

// OriginalBacklog is the listen queue the tutorial's slowpoetry.py asks for
// (sock.listen(5)): with one client served at a time, a few more wait in
// the queue, and the connects beyond it are left unanswered by the kernel
// until their SYN is retried.
const OriginalBacklog = 5

// Listen makes a listening TCP socket the way the tutorial's servers do:
// host resolved as the original's IPv4 socket resolves it ("localhost" is
// 127.0.0.1, "" every IPv4 interface), SO_REUSEADDR set (a restarted server
// may listen again at once; a server still listening keeps its port), and
// a listen queue of backlog. It returns the descriptor, blocking and
// close-on-exec, and the port bound (port 0 lets the system choose).
func Listen(host string, port, backlog int) (fd, bound int, err error) {
	ip := netip.IPv4Unspecified() // "": every interface, as Python binds ''
	if host != "" {
		if ip, err = sock.ResolveHost(context.Background(), host); err != nil {
			return -1, 0, err
		}
	}
	sa, err := sock.Sockaddr(ip, port)
	if err != nil {
		return -1, 0, err
	}
	family := unix.AF_INET
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		family = unix.AF_INET6
	}
	fd, err = unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, 0, err
	}
	unix.CloseOnExec(fd)
	if bound, err = bindAndListen(fd, sa, backlog); err != nil {
		unix.Close(fd)
		return -1, 0, err
	}
	return fd, bound, nil
}

// bindAndListen sets SO_REUSEADDR, binds fd to sa and listens, returning
// the port bound.
func bindAndListen(fd int, sa unix.Sockaddr, backlog int) (int, error) {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return 0, err
	}
	if err := unix.Bind(fd, sa); err != nil {
		return 0, err
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return 0, err
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		return 0, err
	}
	switch b := bound.(type) {
	case *unix.SockaddrInet4:
		return b.Port, nil
	case *unix.SockaddrInet6:
		return b.Port, nil
	}
	return 0, errors.New("unexpected socket address")
}
