//go:build !linux

package basictwisted_test

// backendWaitSyscalls has nothing to offer without Linux's /proc; the
// tests that need it skip.
func backendWaitSyscalls(string) []int { return nil }
