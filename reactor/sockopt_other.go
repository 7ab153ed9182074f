//go:build unix && !linux

package reactor

import "golang.org/x/sys/unix"

// isListening reports whether fd is a listening socket (SO_ACCEPTCONN;
// assumed when the system cannot say).
func isListening(fd int) bool {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	return err != nil || v != 0
}
