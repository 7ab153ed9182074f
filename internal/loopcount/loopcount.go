// Package loopcount checks the --loops option of the servers that run
// several reactor loops on one port (gyre serve, gyre echo, gyre lines and
// examples/beyond/echo-server), before anything is opened, and counts the
// descriptors the loops keep, so that gyre serve can check --max-conns
// against what the limit leaves (Spare). ExclusivePort then makes sure
// that the port the loops are to share is held by no other server.
//
// Each loop is an OS thread with its own epoll, wake-up descriptor,
// io_uring ring (where the kernel allows batched I/O) and listening
// sockets, and its own buffers; a count the process cannot run
// must be refused with one line, not found out by the kernel's
// out-of-memory killer or by the Go runtime's thread limit half-way
// through start-up.
package loopcount

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Max bounds --loops: the Go runtime allows 10,000 threads in all, and a
// loop per CPU is what serves best.
const Max = 1024

// perLoop is the descriptors a loop keeps besides its listeners: its
// epoll, its wake-up and, with batched I/O (reactor.WithBatchedIO, which
// gyre serve, gyre echo and gyre lines turn on where the kernel allows),
// its io_uring ring. A loop without a ring keeps one fewer: counting it
// anyway costs one connection per loop, where leaving it out let
// --max-conns (by default, what the limit leaves) pass the limit by one
// descriptor per loop, and many loops past the reserve.
const perLoop = 3

// reserved is the descriptors kept for everything but the loops: the
// log, the metrics listener, the runtime's own.
const reserved = 64

// Resolve returns the number of loops --loops asks for: 0 means one per
// CPU. listeners is how many listening sockets each loop opens. It refuses
// a negative count, one over Max, and one whose descriptors (perLoop and
// the listeners per loop, and reserved) exceed the process's
// limit; the error names the option and reads as one line.
func Resolve(loops, listeners int) (int, error) {
	switch {
	case loops < 0:
		return 0, fmt.Errorf("--loops must be 0 (one per CPU) or more, not %d", loops)
	case loops == 0:
		loops = runtime.NumCPU()
	}
	if loops > Max {
		return 0, fmt.Errorf("--loops %d: at most %d (one per CPU is best; this machine has %d)", loops, Max, runtime.NumCPU())
	}
	limit, ok := descriptorLimit()
	if !ok {
		return loops, nil // no limit to check against: the kernel will say
	}
	if need := Kept(loops, listeners); need > limit {
		return 0, fmt.Errorf("--loops %d needs %d descriptors (%d per loop, and %d kept for the rest of the process); the limit is %d (ulimit -n)",
			loops, need, perLoop+listeners, reserved, limit)
	}
	return loops, nil
}

// Kept is how many descriptors loops loops, each with listeners listening
// sockets, take before any connection: an epoll, a wake-up, an io_uring
// ring and the listeners per loop, and the reserve for the rest of the
// process.
func Kept(loops, listeners int) uint64 {
	return uint64(loops)*uint64(perLoop+listeners) + reserved
}

// Spare returns the process's descriptor limit (ulimit -n) and how many of
// its descriptors are left for connections once Kept(loops, listeners)
// and extra more are counted (0 if none). ok is false where the limit
// cannot be read.
func Spare(loops, listeners int, extra uint64) (spare, limit uint64, ok bool) {
	limit, ok = descriptorLimit()
	if !ok {
		return 0, 0, false
	}
	if kept := Kept(loops, listeners) + extra; kept < limit {
		spare = limit - kept
	}
	return spare, limit, true
}

// descriptorLimit is RLIMIT_NOFILE's soft limit, which Go raises to the
// hard one at start-up.
func descriptorLimit() (uint64, bool) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return uint64(lim.Cur), true
}
