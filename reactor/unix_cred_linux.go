package reactor

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// PeerCredentials returns the process id, user id and group id of the
// process at the other end of a Unix socket connection, as the kernel
// recorded them when the connection was made (SO_PEERCRED): a server can
// trust them, unlike anything the peer says. It fails on a TCP connection
// (ENOTSUP from the kernel, wrapped), once the connection is closed
// (net.ErrClosed), and with errors.ErrUnsupported where the system has no
// such option.
func (c *Conn) PeerCredentials() (Credentials, error) {
	if c.flags&fClosed != 0 {
		return Credentials{}, net.ErrClosed
	}
	u, err := unix.GetsockoptUcred(int(c.fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return Credentials{}, os.NewSyscallError("getsockopt", err)
	}
	if _, ok := c.peer.(*net.UnixAddr); !ok {
		return Credentials{}, os.NewSyscallError("getsockopt", unix.ENOTSUP)
	}
	return Credentials{PID: int(u.Pid), UID: int(u.Uid), GID: int(u.Gid)}, nil
}
