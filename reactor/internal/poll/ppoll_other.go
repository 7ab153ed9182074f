//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package poll

import (
	"time"

	"golang.org/x/sys/unix"
)

// Elsewhere (Solaris and illumos, which GOOS=solaris and GOOS=illumos
// build) gyre has no native backend: poll is the default.
const Default = "poll"

func (b *pollBackend) poll(timeout time.Duration) (int, error) {
	return unix.Poll(b.fds, WaitMillis(timeout))
}
