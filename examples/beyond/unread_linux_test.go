package beyond_test

// The unread-stdout test shrinks its pipe with F_SETPIPE_SZ, which only
// Linux has: elsewhere this file is not built, and the rest of the
// package's tests still are.

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/internal/progtest"
)

// startUnread starts exe with its stdout on a pipe of one page that the
// test stops reading after the first line (the address, matched by on):
// a supervisor that has fallen behind. It returns the process and the
// address.
func startUnread(t *testing.T, exe string, on *regexp.Regexp, args ...string) (*exec.Cmd, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 4096); err != nil {
		t.Skipf("cannot shrink the pipe: %v", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReaderSize(r, 16).ReadString('\n') // reads no more than it needs
	m := on.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
	if m == nil {
		t.Fatalf("first line %q (%v)", line, err)
	}
	return cmd, m[1]
}

// A server whose stdout nobody reads goes on serving, and stops on
// SIGTERM: its event lines are dropped once their queue is full, instead
// of blocking the reactor in a write to the full pipe.
func TestServersOutlastAnUnreadStdout(t *testing.T) {
	for _, tc := range []struct {
		pkg    string
		on     *regexp.Regexp
		args   []string
		poke   func(t *testing.T, addr string) // one event or more
		serves func(t *testing.T, addr string)
	}{
		{"./examples/beyond/chat-server", chatOn, []string{"--max-per-peer", "0"},
			func(t *testing.T, addr string) {
				c, err := net.DialTimeout("tcp", addr, wait)
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
			},
			func(t *testing.T, addr string) { join(t, addr).expect("welcome") }},
		{"./examples/beyond/transform-server", transformOn, nil,
			func(t *testing.T, addr string) { transformOnce(t, addr, "5:nope.,") },
			func(t *testing.T, addr string) {
				if got := transformOnce(t, addr, "14:shout.the poem,"); got != "8:THE POEM," {
					t.Errorf("answer %q", got)
				}
			}},
	} {
		t.Run(filepath.Base(tc.pkg), func(t *testing.T) {
			exe := progtest.Build(t, tc.pkg)
			cmd, addr := startUnread(t, exe, tc.on, tc.args...)
			for range 300 { // some 20 KiB of events, five times the pipe
				tc.poke(t, addr)
			}
			tc.serves(t, addr)
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Fatal("still running 10 s after SIGTERM")
			}
		})
	}
}

// transformOnce sends request to the transformation service at addr and
// returns what it answers before closing.
func transformOnce(t *testing.T, addr, request string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, request)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("request %q: %v", request, err)
	}
	return string(got)
}
