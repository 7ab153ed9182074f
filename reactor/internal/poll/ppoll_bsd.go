//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poll

import (
	"time"

	"golang.org/x/sys/unix"
)

func (b *pollBackend) poll(timeout time.Duration) (int, error) {
	return unix.Poll(b.fds, WaitMillis(timeout))
}
