package reactor

import (
	"fmt"
	"time"
)

// interest is the set of directions the reactor asks a backend to watch on
// one file descriptor.
type interest uint8

const (
	wantRead interest = 1 << iota
	wantWrite
)

// readiness is what a backend reports for one file descriptor.
type readiness uint8

const (
	readable readiness = 1 << iota
	writable
	// hangup covers the hang-up and error conditions (POLLHUP, POLLERR,
	// EV_EOF...). The reactor hands it to whichever of DoRead and DoWrite is
	// registered, so the descriptor learns the precise reason from its own
	// read, write or SO_ERROR.
	hangup
	// invalid means the fd is not open (POLLNVAL, EBADF from select): it was
	// closed while registered. Nothing can be read from it, so the reactor
	// disconnects it with ErrBadDescriptor.
	invalid
)

// event is one entry of a backend's report: fd is ready in the ways given.
type event struct {
	fd   int32
	what readiness
}

// backend is the waiting layer: one per mechanism the kernel offers. A
// backend is level-triggered (a descriptor that is still ready is reported
// again on the next wait) and is used from the loop goroutine only.
//
// The reactor keeps the registry of descriptors (in a slice indexed by fd)
// and calls update only when the interest for an fd actually changes, so a
// backend does no bookkeeping of its own beyond what its system call needs.
type backend interface {
	// name is the name accepted by WithBackend.
	name() string
	// check reports whether the backend can watch fd at all.
	check(fd int) error
	// update changes the interest for fd from old to new; old == 0 means fd
	// is new to the backend, new == 0 that it should be forgotten.
	update(fd int, old, new interest) error
	// wait blocks until a descriptor is ready or timeout passes (forever if
	// timeout < 0), and returns the ready descriptors. The slice is the
	// backend's own buffer, valid until the next wait. An interrupted wait
	// returns no events and no error.
	wait(timeout time.Duration) ([]event, error)
	// close releases the backend's own descriptors.
	close() error
}

// backends maps names to constructors; each backend_*.go file registers the
// ones its operating system has.
var backends = map[string]func() (backend, error){}

// Backends returns the names of the backends available on this operating
// system, the default first. The reactor's tests run once for each.
func Backends() []string {
	names := []string{defaultBackend}
	for _, n := range []string{"epoll", "kqueue", "poll", "select"} {
		if _, ok := backends[n]; ok && n != defaultBackend {
			names = append(names, n)
		}
	}
	return names
}

// DefaultBackend returns the backend New uses when none is chosen (neither
// WithBackend nor GYRE_REACTOR): epoll on Linux, kqueue on macOS and the
// BSDs.
func DefaultBackend() string { return defaultBackend }

func newBackend(name string) (backend, error) {
	mk, ok := backends[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (available: %v)", ErrUnknownBackend, name, Backends())
	}
	return mk()
}

// waitMillis converts a wait timeout to the milliseconds of poll(2) and
// epoll_wait(2), rounding up so that the loop never wakes just before a
// timer is due and spins until it is.
func waitMillis(timeout time.Duration) int {
	if timeout < 0 {
		return -1
	}
	const maxMillis = 1<<31 - 1
	ms := (timeout + time.Millisecond - 1) / time.Millisecond
	if ms > maxMillis {
		return maxMillis
	}
	return int(ms)
}
