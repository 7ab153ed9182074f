//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package poll

import (
	"time"

	"golang.org/x/sys/unix"
)

// Elsewhere (Solaris, AIX...) gyre has no native Backend: poll is the default.
const Default = "poll"

func (b *pollBackend) poll(timeout time.Duration) (int, error) {
	return unix.Poll(b.fds, WaitMillis(timeout))
}
