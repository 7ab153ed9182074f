// Package loopcount checks the --loops option of the servers that run
// several reactor loops on one port (gyre serve, gyre echo, gyre lines and
// examples/beyond/echo-server), before anything is opened.
//
// Each loop is an OS thread with its own epoll, wake-up descriptor and
// listening sockets, and its own buffers; a count the process cannot run
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

// reserved is the descriptors kept for everything but the loops: the
// log, the metrics listener, the runtime's own.
const reserved = 64

// Resolve returns the number of loops --loops asks for: 0 means one per
// CPU. listeners is how many listening sockets each loop opens. It refuses
// a negative count, one over Max, and one whose descriptors (an epoll, a
// wake-up and the listeners per loop, and reserved) exceed the process's
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
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return loops, nil // no limit to check against: the kernel will say
	}
	if need := uint64(loops)*uint64(2+listeners) + reserved; need > uint64(lim.Cur) {
		return 0, fmt.Errorf("--loops %d needs %d descriptors (%d per loop, and %d kept for the rest of the process); the limit is %d (ulimit -n)",
			loops, need, 2+listeners, reserved, lim.Cur)
	}
	return loops, nil
}
