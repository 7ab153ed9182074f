package loopcount

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestResolve(t *testing.T) {
	if n, err := Resolve(0, 1); err != nil || n != runtime.NumCPU() {
		t.Errorf("Resolve(0) = %d, %v; want %d (one per CPU)", n, err, runtime.NumCPU())
	}
	if n, err := Resolve(3, 1); err != nil || n != 3 {
		t.Errorf("Resolve(3) = %d, %v", n, err)
	}
	for _, loops := range []int{-1, Max + 1, 99999999} {
		if n, err := Resolve(loops, 1); err == nil || !strings.HasPrefix(err.Error(), "--loops ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("Resolve(%d) = %d, %v; want a one-line --loops error", loops, n, err)
		}
	}
}

// A count under Max whose descriptors the process may not open is
// refused too, naming the limit.
func TestResolveDescriptors(t *testing.T) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	listeners := int(lim.Cur) // one loop with as many listeners as the limit
	if _, err := Resolve(1, listeners); err == nil || !strings.Contains(err.Error(), "ulimit -n") {
		t.Errorf("Resolve(1, %d) = %v; want the descriptor limit named", listeners, err)
	}
	// The count adds up as the message says: per loop times loops, plus
	// what is kept (the bare "3 per loop" of 67 puzzled a reader).
	want := "kept for the rest of the process"
	if _, err := Resolve(1, listeners); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Resolve(1, %d) = %v; want it to say what the rest is (%q)", listeners, err, want)
	}
}

// Spare counts what Resolve counts, and what it is given besides.
func TestSpare(t *testing.T) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	spare, limit, ok := Spare(2, 3, 32)
	if !ok || limit != uint64(lim.Cur) || spare != limit-(2*6+reserved+32) {
		t.Errorf("Spare(2, 3, 32) = %d, %d, %v; want %d, %d", spare, limit, ok, limit-(2*6+reserved+32), lim.Cur)
	}
	if spare, _, _ := Spare(1, int(lim.Cur), 0); spare != 0 {
		t.Errorf("Spare past the limit = %d, want 0", spare)
	}
}
