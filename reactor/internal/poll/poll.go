package poll

import (
	"errors"
	"fmt"
	"time"
)

// Interest is the set of directions the loop asks a Backend to watch on
// one file descriptor.
type Interest uint8

const (
	Read Interest = 1 << iota
	Write
)

// Readiness is what a Backend reports for one file descriptor.
type Readiness uint8

const (
	Readable Readiness = 1 << iota
	Writable
	// Hangup covers the hang-up and error conditions (POLLHUP, POLLERR,
	// EV_EOF...). The loop hands it to whichever of DoRead and DoWrite is
	// registered, so the descriptor learns the precise reason from its own
	// read, write or SO_ERROR.
	Hangup
	// Invalid means the fd is not open (POLLNVAL, EBADF from select): it was
	// closed while registered. Nothing can be read from it, so the loop
	// disconnects it.
	Invalid
)

// Event is one entry of a Backend's report: Fd is ready in the ways given.
type Event struct {
	Fd   int32
	What Readiness
}

// Backend is the waiting layer: one per mechanism the kernel offers. A
// Backend is level-triggered (a descriptor that is still ready is reported
// again on the next wait) and is used from the loop goroutine only.
//
// The loop keeps the registry of descriptors (in a slice indexed by fd)
// and calls Update only when the interest for an fd actually changes, so a
// Backend does no bookkeeping of its own beyond what its system call needs.
type Backend interface {
	// Name is the name New takes.
	Name() string
	// Check reports whether the Backend can watch fd at all: an error
	// wrapping ErrUnwatchable, which says why in its message, if not.
	Check(fd int) error
	// Update changes the interest for fd from old to new; old == 0 means fd
	// is new to the Backend, new == 0 that it should be forgotten.
	Update(fd int, old, new Interest) error
	// Wait blocks until a descriptor is ready or timeout passes (forever if
	// timeout < 0), and returns the ready descriptors. The slice is the
	// Backend's own buffer, valid until the next Wait. An interrupted wait
	// returns no events and no error.
	Wait(timeout time.Duration) ([]Event, error)
	// Close releases the Backend's own descriptors.
	Close() error
}

// Errors. Their messages name the reactor, which exports them.
var (
	// ErrUnknown is New's error for a name it does not know or that this
	// operating system does not have.
	ErrUnknown = errors.New("reactor: unknown or unavailable backend")
	// ErrUnwatchable is Check's error for a descriptor the backend cannot
	// watch (select: one at or above FD_SETSIZE). Callers hold such a
	// descriptor back or move it; only the backend knows the limit.
	ErrUnwatchable = errors.New("reactor: the backend cannot watch this descriptor")
)

// Config tunes a backend to how the program runs it.
type Config struct {
	// Crowded says that the program runs as many loops as the Go scheduler
	// has processors, none spare: epoll then waits the way that suits a
	// busy loop sharing no processor (see epollBackend). The others ignore
	// it.
	Crowded bool
}

// backends maps names to constructors; each backend's file registers the
// ones its operating system has.
var backends = map[string]func(Config) (Backend, error){}

// Names returns the names of the backends available on this operating
// system, Default first.
func Names() []string {
	names := []string{Default}
	for _, n := range []string{"epoll", "kqueue", "poll", "select"} {
		if _, ok := backends[n]; ok && n != Default {
			names = append(names, n)
		}
	}
	return names
}

// New makes the backend of that name.
func New(name string, cfg Config) (Backend, error) {
	mk, ok := backends[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (available: %v)", ErrUnknown, name, Names())
	}
	return mk(cfg)
}

// WaitMillis converts a wait timeout to the milliseconds of poll(2) and
// epoll_wait(2), rounding up so that the loop never wakes just before a
// timer is due and spins until it is.
func WaitMillis(timeout time.Duration) int {
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
