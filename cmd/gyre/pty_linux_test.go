package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal of rows×cols: the controlling side to
// read what a program writes, and the terminal side to give it as stdout.
func openPty(t *testing.T, rows, cols uint16) (ctl, tty *os.File) {
	t.Helper()
	ctl, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ctl.Close() })
	fd := int(ctl.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("cannot unlock a pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pseudo-terminal number: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the terminal side: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		t.Fatal(err)
	}
	return ctl, tty
}

// On a terminal, gyre get draws its board: a line per task, redrawn as the
// chunks come, ending "done in". With its lines sent through a writer that
// checks their errors, the board no longer saw a terminal, and drew
// nothing, and the tasks' plain lines were off as well: the run showed only
// its total.
//
// A terminal too short for the board (one that says it has no rows, as a
// pseudo-terminal whose size was never set does) gets the plain lines: the
// board lost the lines that did not fit, so there were none.
func TestGetBoardOnTerminal(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	if out := getOnPty(t, 24, addr); !bytes.Contains(out, []byte("Task 1")) || !bytes.Contains(out, []byte("done in")) {
		t.Errorf("no board on the terminal:\n%q", out)
	}
	if out := getOnPty(t, 0, addr); !bytes.Contains(out, []byte("Task 1: got ")) {
		t.Errorf("no task line on a terminal of no rows:\n%q", out)
	}
	if out := getOnPty(t, 0, "--progress", "always", addr); !bytes.Contains(out, []byte("Task 1: got ")) {
		t.Errorf("--progress always: no task line on a terminal of no rows:\n%q", out)
	}
}

// --progress always with more tasks than the terminal has rows draws a
// board that fits: a window of the tasks and a line that counts them all.
// The board was drawn whole, taller than the screen, which scrolled, and
// each redraw moved the cursor up into lines already gone: a mangled
// screen.
func TestGetBoardWindowOnShortTerminal(t *testing.T) {
	addr := slowServers(t, 100, 20*time.Millisecond, embedded(t, "night-bus"))[0]
	args := []string{"--progress", "always"}
	for range 30 {
		args = append(args, addr)
	}
	out := string(getOnPty(t, 10, args...))
	frames := strings.Split(out, "\x1b[J")
	for i, f := range frames[:len(frames)-1] {
		if n := strings.Count(f, "\n"); n > 9 {
			t.Fatalf("frame %d has %d lines on a terminal of 10 rows:\n%s", i, n, f)
		}
	}
	last := frames[len(frames)-1]
	if n := strings.Count(last, "\n"); n > 10 || !strings.Contains(last, "30 tasks: 30 done, 0 failed, 0 under way, 0 waiting") ||
		!strings.Contains(last, "Got 30 poems") {
		t.Errorf("last frame (%d lines):\n%s", n, last)
	}
}

// getOnPty runs gyre get with args on a pseudo-terminal of rows×100 and
// returns what it wrote.
func getOnPty(t *testing.T, rows uint16, args ...string) []byte {
	t.Helper()
	ctl, tty := openPty(t, rows, 100)
	cmd := exec.Command(gyreBinary, append([]string{"get"}, args...)...)
	cmd.Stdout, cmd.Stderr = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, ctl); close(copied) }()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("gyre get: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("gyre get did not end")
	}
	tty.Close()
	// Linux ends the read once the terminal side is closed; the deadline
	// is for systems that keep it open.
	ctl.SetReadDeadline(time.Now().Add(2 * time.Second))
	<-copied
	return out.Bytes()
}

// --print --progress always with stdout and stderr on one terminal is a
// usage error: the board, on stderr, would erase the poems' lines.
func TestGetPrintProgressOnOneTerminal(t *testing.T) {
	ctl, tty := openPty(t, 24, 100)
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, ctl); close(copied) }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gyreBinary, "get", "--print", "--progress", "always", refused(t))
	cmd.Stdout, cmd.Stderr = tty, tty
	cmd.Run()
	tty.Close()
	ctl.SetReadDeadline(time.Now().Add(2 * time.Second))
	<-copied
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(out.String(), "gyre: --progress always with --print draws on stderr") {
		t.Errorf("status %d, output %q; want 2 and a usage error", code, out.String())
	}
}
