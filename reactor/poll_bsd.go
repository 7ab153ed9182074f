//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package reactor

import (
	"time"

	"golang.org/x/sys/unix"
)

func (b *pollBackend) poll(timeout time.Duration) (int, error) {
	return unix.Poll(b.fds, waitMillis(timeout))
}
