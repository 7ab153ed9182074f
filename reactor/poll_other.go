//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package reactor

import (
	"time"

	"golang.org/x/sys/unix"
)

// Elsewhere (Solaris, AIX...) gyre has no native backend: poll is the default.
const defaultBackend = "poll"

func (b *pollBackend) poll(timeout time.Duration) (int, error) {
	return unix.Poll(b.fds, waitMillis(timeout))
}
