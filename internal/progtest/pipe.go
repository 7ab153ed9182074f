package progtest

import (
	"os"
	"testing"
	"time"
)

// StalledPipe returns the write end of a pipe that is full and that nobody
// reads, for a program's stderr or stdout (Options.Stderr): every write to
// it blocks, as to a terminal that is stopped or a reader that is stuck.
// Both ends are closed when the test ends.
func StalledPipe(t testing.TB) *os.File {
	t.Helper()
	_, w := pipe(t)
	// The pipe's ends are non-blocking in this process, so a deadline
	// ends the write once the pipe is full. (The child gets the end in
	// blocking mode: exec takes it through Fd, which makes it so.)
	w.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := w.Write(make([]byte, 4<<20)); !os.IsTimeout(err) {
		t.Fatalf("filling a pipe: %v, want it full (a timeout)", err)
	}
	return w
}

// pipe returns the two ends of a new pipe, both closed when the test ends.
func pipe(t testing.TB) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		w.Close()
	})
	return r, w
}
