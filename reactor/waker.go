package reactor

import "golang.org/x/sys/unix"

// waker is how another goroutine interrupts the loop's wait: a descriptor
// (an eventfd on Linux, a pipe elsewhere) registered as one of the reactor's
// own readers. Writing to it makes the backend's wait return; DoRead drains
// it again.
type waker struct {
	rfd, wfd int
	buf      [64]byte // drain buffer, used by the loop goroutine only
}

// wakeBytes is what wake writes: eventfd wants a non-zero 8-byte count, and
// any byte will do for a pipe.
var wakeBytes = [8]byte{1}

// wake makes the descriptor readable. EAGAIN (eventfd counter or pipe
// buffer full) means it is readable already, which is all we want.
func (w *waker) wake() {
	n := len(wakeBytes)
	if w.rfd != w.wfd {
		n = 1
	}
	_, _ = unix.Write(w.wfd, wakeBytes[:n])
}

func (w *waker) Fd() int           { return w.rfd }
func (w *waker) LogPrefix() string { return "waker" }

// ConnectionLost cannot normally happen: the reactor owns the descriptor.
func (w *waker) ConnectionLost(error) {}

// DoRead empties the descriptor so a level-triggered backend stops
// reporting it.
func (w *waker) DoRead() error {
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

func (w *waker) close() {
	unix.Close(w.rfd)
	if w.wfd != w.rfd {
		unix.Close(w.wfd)
	}
}
