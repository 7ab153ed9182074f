package faultsuite

import (
	"testing"

	"golang.org/x/sys/unix"
)

// setNofile sets the running process's descriptor limit, soft and hard,
// to n (prlimit(2)): lowering it needs no privilege over a child of ours.
func setNofile(t *testing.T, pid, n int) {
	t.Helper()
	lim := unix.Rlimit{Cur: uint64(n), Max: uint64(n)}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Fatalf("set the descriptor limit of %d to %d: %v", pid, n, err)
	}
}
