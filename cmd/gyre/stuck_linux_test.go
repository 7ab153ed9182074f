package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// unreadPipe starts gyre with args, its stdout a pipe of one page that
// nobody reads, and returns once the pipe is full: gyre is then blocked
// writing to it.
func unreadPipe(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() }) // open, never read
	size, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 4096)
	if err != nil {
		t.Skipf("cannot shrink a pipe: %v", err)
	}
	cmd := exec.Command(gyreBinary, args...)
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		// Full: what is left would not take a redraw of the board, which
		// is written whole or not at all.
		if n, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ); err != nil || n >= size-512 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gyre %q never filled its stdout", args)
		}
		time.Sleep(20 * time.Millisecond) // polling the pipe, bounded (TIOCINQ is FIONREAD)
	}
	return cmd, &stderr
}

// stopStuck signals a gyre blocked on its stdout and checks that it exits
// soon after with the signal's status, saying why.
func stopStuck(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer, sig os.Signal, wantCode int) {
	t.Helper()
	signalAndWait(t, cmd, sig)
	if code := cmd.ProcessState.ExitCode(); code != wantCode || !strings.Contains(stderr.String(), "stdout is not being read") {
		t.Errorf("status %d, stderr %q; want %d", code, stderr.String(), wantCode)
	}
}

// The demo's live board drawn into a pipe nobody reads: SIGINT ends the
// demo within seconds. It waited for good for the board, blocked writing.
func TestDemoInterruptedWithStdoutStuck(t *testing.T) {
	cmd, stderr := unreadPipe(t, "demo", "--progress", "always", "--delay", "0.1")
	stopStuck(t, cmd, stderr, syscall.SIGINT, 130)
}

// SIGTERM ends a run whose stdout is a pipe nobody reads: gyre exits 143
// soon after, saying why. The loop, blocked writing the poem, never saw the
// signal, and gyre, which catches it, waited for as long as the reader did.
// The signal goes once the pipe is full: sent after a fixed pause, it could
// come, on a loaded machine, before gyre had written enough to block, and
// end a run that was not stuck at all.
func TestGetInterruptedWithStdoutStuck(t *testing.T) {
	big := bytes.Repeat([]byte("a line of a poem nobody reads\n"), 1<<20/30) // more than a pipe holds
	addr := slowServers(t, 1<<20, 0, big)[0]
	cmd, stderr := unreadPipe(t, "get", "--print", addr)
	signalAndWait(t, cmd, syscall.SIGTERM)
	if code := cmd.ProcessState.ExitCode(); code != 143 || !strings.Contains(stderr.String(), "terminated; stdout is not being read") {
		t.Errorf("status %d, stderr %q", code, stderr.String())
	}
}
