package sock

import "golang.org/x/sys/unix"

// Sendfile is sendfile(2): up to n bytes of the file src from *off to the
// socket dst, advancing *off. It is an ordinary (blocking-aware) system
// call: the file may not be in the page cache.
func Sendfile(dst, src int, off *int64, n int) (int, error) {
	return unix.Sendfile(dst, src, off, n)
}

// SetNotSentLowat sets TCP_NOTSENT_LOWAT: the socket reports writable only
// while less than n bytes wait unsent. An error only loses the tuning.
func SetNotSentLowat(fd, n int) {
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, n)
}
