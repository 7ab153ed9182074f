package poll

import (
	"time"

	"golang.org/x/sys/unix"
)

// poll calls ppoll(2), whose timeout is a timespec: a timer due in 300 µs is
// waited for 300 µs, not rounded up to poll's millisecond.
func (b *pollBackend) poll(timeout time.Duration) (int, error) {
	if timeout < 0 {
		return unix.Ppoll(b.fds, nil, nil)
	}
	ts := unix.NsecToTimespec(int64(timeout))
	return unix.Ppoll(b.fds, &ts, nil)
}
