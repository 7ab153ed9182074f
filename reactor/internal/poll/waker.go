package poll

import "golang.org/x/sys/unix"

// Waker is how another goroutine interrupts the loop's wait: a descriptor
// (an eventfd on Linux, a pipe elsewhere) the loop watches for reading as
// one of its own. Wake makes the Backend's wait return; Drain, on the loop,
// empties it again.
type Waker struct {
	rfd, wfd int
	buf      [64]byte // drain buffer, used by the loop goroutine only
}

// wakeBytes is what Wake writes: eventfd wants a non-zero 8-byte count, and
// any byte will do for a pipe.
var wakeBytes = [8]byte{1}

// wake makes the descriptor Readable. EAGAIN (eventfd counter or pipe
// buffer full) means it is Readable already, which is all we want.
func (w *Waker) Wake() {
	n := len(wakeBytes)
	if w.rfd != w.wfd {
		n = 1
	}
	_, _ = unix.Write(w.wfd, wakeBytes[:n])
}

// Fd is the descriptor to watch for reading.
func (w *Waker) Fd() int { return w.rfd }

// Drain empties the descriptor so a level-triggered Backend stops
// reporting it. It always returns nil (the signature suits a DoRead).
func (w *Waker) Drain() error {
	for {
		n, err := unix.Read(w.rfd, w.buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n < len(w.buf) || w.rfd == w.wfd {
			return nil
		}
	}
}

// Close releases the descriptors.
func (w *Waker) Close() {
	unix.Close(w.rfd)
	if w.wfd != w.rfd {
		unix.Close(w.wfd)
	}
}
