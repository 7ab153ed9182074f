// Package rsswatch measures the peak resident set of a child process, for
// tests and benchmarks that bound a program's memory.
//
// The rusage a parent gets from wait4 is no good for this on Linux: Go
// starts children with vfork (CLONE_VM), and the kernel keeps the larger
// of the child's own peak and that of the memory it shared before exec,
// the parent's. So a test process of 50 MB sees every child peak at 50
// MB at least. Instead the child's VmHWM (its own peak, in
// /proc/PID/status) is read every few milliseconds while it runs, and the
// largest value seen is its peak: VmHWM only grows, so the last reading
// before the exit misses at most what the last few milliseconds added.
package rsswatch

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Every is how often the peak is read.
const Every = 2 * time.Millisecond

// Watch reads pid's peak resident set until done is closed and returns
// the largest value read, in bytes (0 where /proc cannot tell).
func Watch(pid int, done <-chan struct{}) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak int64
	tick := time.NewTicker(Every)
	defer tick.Stop()
	for {
		if hwm, ok := readHWM(path); ok {
			peak = max(peak, hwm)
		}
		select {
		case <-done:
			return peak
		case <-tick.C:
		}
	}
}

// readHWM reads VmHWM from a /proc status file.
func readHWM(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		v, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(v) // "1234 kB"
		if len(f) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		return n << 10, err == nil
	}
	return 0, false
}
