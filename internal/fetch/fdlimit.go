package fetch

import "golang.org/x/sys/unix"

// Every download holds a socket while it runs. With more addresses than
// the process may open descriptors (ulimit -n), starting them all at once
// fails the extra ones with "too many open files" before they have begun;
// instead the async and reactor modes run at most openLimit downloads at a
// time, and a task waits for a descriptor to be free before it starts (its
// Started event, its start time and its timeout count from then).

// fdReserve is what the limit keeps for everything else: the standard
// streams, the poller and its wake-up, the runtime, a timeline file.
const fdReserve = 32

// openLimit is how many downloads may run at once.
func (c *config) openLimit(tasks int) int {
	if c.maxOpen > 0 {
		return min(c.maxOpen, tasks)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil || uint64(lim.Cur) > uint64(tasks+fdReserve) {
		return tasks
	}
	return max(int(lim.Cur)-fdReserve, 1)
}

// WithMaxOpen bounds the downloads under way at once in the async and
// reactor modes (default: as many as the descriptor limit allows, less a
// reserve). The others wait for one to end before they start.
func WithMaxOpen(n int) Option {
	return func(c *config) { c.maxOpen = n }
}
