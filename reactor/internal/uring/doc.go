// Package uring is the smallest io_uring the reactor needs to hand the
// kernel many socket sends and receives in one system call: a submission
// ring to queue them on, one io_uring_enter(2) to issue them all, and a
// completion ring to read their results from.
//
// Why it exists: on the machines gyre is measured on, a system call costs
// about a microsecond of entry and exit alone (a paravirtualized guest
// pays for each), as much as the work of a small send. A server that
// answers fifty requests in one turn of its loop makes fifty write(2)
// calls; through a ring it makes one. The reactor still learns readiness
// from its backend (epoll): the ring only batches the calls it would make
// anyway, and every call is non-blocking (MSG_DONTWAIT), so each one
// completes while io_uring_enter is issuing it and a submission never
// waits for a socket.
//
// It is not a general io_uring binding (no polling thread, no fixed
// buffers; links only as far as a send followed by a close, with
// ShortSendBreaksLink to say whether the kernel keeps such a chain
// safe): the Go libraries that offer one are not
// served by the module proxy this project builds from, and golang.org/x/sys
// has the system call numbers but no ring. Everything here is Linux-only;
// elsewhere New reports ErrUnsupported and the reactor writes as before.
//
// A Ring belongs to one goroutine (the reactor's loop) and takes no lock.
package uring
