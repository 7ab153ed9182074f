// Package poll is the reactor's waiting layer: one Backend interface (watch
// a descriptor for reading or writing, wait with a timeout, report what is
// ready) and its implementations, one per kernel mechanism and file:
// select.go, poll_backend.go, epoll_linux.go, kqueue_bsd.go; and the Waker
// through which other goroutines interrupt a wait.
//
// A backend knows descriptors only as numbers: the reactor's loop keeps the
// table of descriptor objects and tells a backend only when the interest in
// an fd changes. A backend's own limits stay here: select refuses an fd at
// or above FD_SETSIZE with an error wrapping ErrUnwatchable, and nothing
// above this layer knows why.
package poll
