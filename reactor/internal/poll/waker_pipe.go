//go:build unix && !linux

package poll

import (
	"os"

	"golang.org/x/sys/unix"
)

// NewWaker returns a non-blocking pipe (the classic self-pipe): there is no
// eventfd outside Linux.
func NewWaker() (*Waker, error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return nil, os.NewSyscallError("pipe", err)
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, os.NewSyscallError("fcntl", err)
		}
	}
	return &Waker{rfd: p[0], wfd: p[1]}, nil
}
