//go:build !solaris && !illumos

package sock

import "golang.org/x/sys/unix"

// SetReusePort sets SO_REUSEPORT, so that several sockets (one per loop)
// can listen on the same address and the kernel spreads the connections
// between them.
func SetReusePort(fd int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
}
