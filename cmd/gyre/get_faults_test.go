package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// unresolvable is a host name that no resolver knows: .invalid is reserved
// for that (RFC 2606). Go's resolver still sends the query to the
// configured name server (it refuses only .onion names without asking), so
// the reason after "cannot resolve" depends on the machine (no such host,
// a refused or timed-out query); the tests check only the start of the
// message.
const unresolvable = "nonexistent.invalid:10000"

// resetting is a server that sends the start of a poem and then resets
// the connection (SO_LINGER 0: an RST, not the FIN that ends a poem). The
// 50 ms before the reset is the server's behaviour, not a wait: it puts
// the reset in the middle of the poem rather than during the connect.
func resetting(t *testing.T, first string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c.Write([]byte(first))
				select {
				case <-time.After(50 * time.Millisecond):
				case <-done:
				}
				c.(*net.TCPConn).SetLinger(0)
				c.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

// A reset in the middle of a poem, a name that does not resolve and a good
// server, in every mode: the good poem is printed (and only it: the half
// poem is a failure, never printed), each bad address gets one line on
// stderr, and the status is 1.
func TestGetResetAndUnresolvable(t *testing.T) {
	const half = "The first half of a poem, and th"
	reset := resetting(t, half)
	poem := embedded(t, "orchard")
	good := slowServers(t, 1000, 0, poem)[0]
	for _, mode := range []string{"reactor", "async", "blocking"} {
		code, stdout, stderr := gyre(t, nil, "get", "--print", "--mode", mode, reset, unresolvable, good)
		if code != 1 || stdout != string(poem) {
			t.Errorf("%s: status %d, stdout %q; want 1 and the good poem only", mode, code, stdout)
		}
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		wantReset := "Task 1: failed to get poetry from " + reset + ": connection reset by peer"
		wantDNS := "Task 2: failed to get poetry from " + unresolvable + ": cannot resolve nonexistent.invalid: "
		if len(lines) != 2 || !contains(lines, func(l string) bool { return l == wantReset }) ||
			!contains(lines, func(l string) bool { return strings.HasPrefix(l, wantDNS) }) {
			t.Errorf("%s: stderr %q\nwant the lines %q and %q...", mode, stderr, wantReset, wantDNS)
		}
		if strings.Contains(stdout+stderr, half) || strings.Contains(stdout+stderr, "panic") {
			t.Errorf("%s: the half poem (or a panic) was printed:\n%s%s", mode, stdout, stderr)
		}
		// Without --print, the summary counts the one good poem.
		code, stdout, _ = gyre(t, nil, "get", "--mode", mode, reset, good)
		want := "^" + fmt.Sprintf(taskLine, 2, len(poem), regexp.QuoteMeta(good)) + fmt.Sprintf(totalLine, 1) + "$"
		if code != 1 || !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("%s: status %d, stdout %q", mode, code, stdout)
		}
	}
}

func contains(lines []string, ok func(string) bool) bool {
	for _, l := range lines {
		if ok(l) {
			return true
		}
	}
	return false
}

// A server that accepts and never sends: --timeout ends the download, the
// status is 1, and the server sees its connection closed (end of file or a
// reset), not left open.
func TestGetTimeoutClosesTheConnection(t *testing.T) {
	for _, mode := range []string{"reactor", "async", "blocking"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		seen := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				seen <- err
				return
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, err = io.ReadAll(c)
			seen <- err
		}()
		addr := ln.Addr().String()
		code, _, stderr := gyre(t, nil, "get", "--mode", mode, "--timeout", "0.2", addr)
		if code != 1 || stderr != "Task 1: failed to get poetry from "+addr+": timed out after 200ms\n" {
			t.Errorf("%s: status %d, stderr %q", mode, code, stderr)
		}
		select {
		case err := <-seen:
			if err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("%s: the server's read ended with %v, want end of file or a reset", mode, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the connection is still open", mode)
		}
	}
}
