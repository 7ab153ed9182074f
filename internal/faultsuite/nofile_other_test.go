//go:build !linux

package faultsuite

import "testing"

// setNofile needs prlimit(2), which is Linux's; the suite runs there only.
func setNofile(t *testing.T, pid, n int) {
	t.Helper()
	t.Skip("prlimit(2) is Linux only")
}
