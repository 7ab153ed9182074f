package faultsuite

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The server is watched from outside, through /proc.

// memory returns the process's resident set and its peak, in bytes.
func memory(t *testing.T, pid int) (rss, hwm int64) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read status of %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v) // "1234 kB"
		n, _ := strconv.ParseInt(f[0], 10, 64)
		if k == "VmRSS" {
			rss = n << 10
		} else {
			hwm = n << 10
		}
	}
	return rss, hwm
}

// fds counts the process's open descriptors.
func fds(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("list descriptors of %d: %v", pid, err)
	}
	return len(ents)
}

// cpuTime is the CPU time the process has used: the sum of its threads'
// scheduler run times (nanoseconds, /proc/PID/task/*/schedstat), or, where
// schedstat is missing, utime+stime from /proc/PID/stat (clock ticks,
// 10 ms each on Linux).
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	ok := len(tasks) > 0
	for _, p := range tasks {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // a thread that just exited
		}
		f := strings.Fields(string(data))
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			ok = false
			break
		}
		sum += time.Duration(n)
	}
	if ok {
		return sum
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("read stat of %d: %v", pid, err)
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14, stime 15.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// cpuShare measures the share of one core the process uses over window.
func cpuShare(t *testing.T, pid int, window time.Duration) float64 {
	t.Helper()
	c0, t0 := cpuTime(t, pid), time.Now()
	<-time.After(window) // a measuring window, not synchronisation
	c1, t1 := cpuTime(t, pid), time.Now()
	return float64(c1-c0) / float64(t1.Sub(t0))
}

// waitFor polls cond every 10 ms until it holds, at most timeout; it
// reports whether it did. Watching another process from outside leaves
// nothing to wait on but its state.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		<-time.After(10 * time.Millisecond)
	}
}

// mib formats bytes as MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// kib formats bytes as KiB.
func kib(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10)) }

// waitingInput counts the established sockets on local port port (the
// server's side of its connections, accepted or still in the listen queue)
// that hold at least n bytes of unread input, from /proc/net/tcp.
func waitingInput(t *testing.T, port, n int) int {
	t.Helper()
	data, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Fatalf("read /proc/net/tcp: %v", err)
	}
	count := 0
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 5 || f[3] != "01" { // 01: ESTABLISHED
			continue
		}
		_, lport, _ := strings.Cut(f[1], ":")
		if p, err := strconv.ParseInt(lport, 16, 32); err != nil || int(p) != port {
			continue
		}
		_, rxq, _ := strings.Cut(f[4], ":") // tx_queue:rx_queue, hex
		if q, err := strconv.ParseInt(rxq, 16, 64); err == nil && q >= int64(n) {
			count++
		}
	}
	return count
}

// stopped reports whether every thread of the process is stopped (state
// T), as it is once a SIGSTOP has taken effect: kill returns before that.
func stopped(t *testing.T, pid int) bool {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if len(tasks) == 0 {
		return false
	}
	for _, p := range tasks {
		data, err := os.ReadFile(p)
		if err != nil {
			return false
		}
		s := string(data)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) == 0 || f[0] != "T" {
			return false
		}
	}
	return true
}
