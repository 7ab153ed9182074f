package poll

import (
	"os"

	"golang.org/x/sys/unix"
)

// NewWaker returns an eventfd: one descriptor, a counter the kernel keeps,
// cheaper than a pipe.
func NewWaker() (*Waker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("eventfd", err)
	}
	return &Waker{rfd: fd, wfd: fd}, nil
}
