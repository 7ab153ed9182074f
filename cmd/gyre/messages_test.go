package main

import (
	"math"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The messages of issue 12, item 13: each mistake is named, in one line,
// before anything is done.
func TestEdgeMessages(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"serve", " "}, 2, `" ": no such file, nor an embedded poem (those are: library, night-bus, orchard)`},
		{[]string{"serve", "--loops", "100000", "library"}, 2, "--loops 100000: at most 1024"},
		// gyre echo and lines took any count, and started loops until the
		// kernel killed them for their memory.
		{[]string{"echo", "--loops", "2000"}, 2, "--loops 2000: at most 1024"},
		{[]string{"lines", "--loops", "5000"}, 2, "--loops 5000: at most 1024"},
		{[]string{"get", "-1"}, 2, `"-1" is not a server address: port -1 is out of range (1-65535)`},
		{[]string{"get", "--timeline", "/proc/gyre-timeline.svg", "-1"}, 2, `"-1" is not a server address`},
		{[]string{"get", "--timeline", "/proc/gyre-timeline.svg", "1"}, 2, "--timeline: /proc/gyre-timeline.svg: cannot create a file in /proc"},
		// Said as "-1" is: these were "give PORT, HOST:PORT or [IPV6]:PORT".
		{[]string{"get", "0"}, 2, `"0" is not a server address: port 0 is out of range (1-65535)`},
		{[]string{"get", "localhost:65536"}, 2, `"localhost:65536" is not a server address: port 65536 is out of range (1-65535)`},
		// Whole-number flags said strconv's words.
		{[]string{"get", "--seed", "-1", "1"}, 2, `invalid argument "-1" for "--seed" flag: not a whole number of 0 or more`},
		{[]string{"lines", "--max-length", "99999999999999999999"}, 2, `invalid argument "99999999999999999999" for "--max-length" flag: out of range (1 to ` + strconv.Itoa(math.MaxInt) + `)`},
		{[]string{"serve", "--num-bytes", "ten", "library"}, 2, `invalid argument "ten" for "--num-bytes" flag: not a whole number`},
		// Boolean flags said strconv's words.
		{[]string{"get", "--print=2", "1"}, 2, `invalid argument "2" for "-p, --print" flag: want true or false`},
		{[]string{"simulate", "--narrow=maybe"}, 2, `invalid argument "maybe" for "--narrow" flag: want true or false`},
		{[]string{"serve", "--slow=", "library"}, 2, `invalid argument "" for "--slow" flag: want true or false`},
		// A port given as an argument was "unknown command "9000" for "gyre echo"".
		{[]string{"echo", "9000"}, 2, `echo takes no arguments, got "9000"`},
		{[]string{"lines", "9001"}, 2, `lines takes no arguments, got "9001"`},
		// cobra showed the help and exited 0.
		{[]string{"completion", "nosuch"}, 2, `unknown command "nosuch" for "gyre completion"`},
	} {
		start := time.Now()
		code, stdout, stderr := gyre(t, nil, tt.args...)
		if code != tt.code || stdout != "" || !strings.HasPrefix(stderr, "gyre: "+tt.stderr) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("gyre %q: status %d, stdout %q, stderr %q\nwant status %d, stderr %q", tt.args, code, stdout, stderr, tt.code, "gyre: "+tt.stderr)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("gyre %q took %v to refuse", tt.args, took)
		}
	}
}

// --iface takes an IPv6 address with brackets too.
func TestServeBracketedIface(t *testing.T) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skip("no IPv6 loopback")
	} else {
		ln.Close()
	}
	s := startServer(t, 1, "--iface", "[::1]", "library")
	if d := fetchPoem(t, s.addrs[0]); d.err != nil || len(d.data) != 3014 {
		t.Errorf("from %s: %d bytes, %v", s.addrs[0], len(d.data), d.err)
	}
	s.signal(syscall.SIGTERM)
	s.wait(10 * time.Second)
}

// A second gyre serve --loops 2 on the same port fails as with --loops 1,
// instead of sharing the port through SO_REUSEPORT and taking some of the
// first one's clients.
func TestServeReusePortIsNotShared(t *testing.T) {
	port := freePorts(t, 1)
	s := startServer(t, 1, "--loops", "2", "--port", strconv.Itoa(port), "library")
	for _, loops := range []string{"2", "1"} {
		code, _, stderr := gyre(t, nil, "serve", "--loops", loops, "--port", strconv.Itoa(port), "orchard")
		if code != 1 || !strings.Contains(stderr, "Address already in use") {
			t.Errorf("second server with --loops %s: status %d, %q", loops, code, stderr)
		}
	}
	s.signal(syscall.SIGTERM)
	s.wait(10 * time.Second)
}

// gyre get --help shows --timeout's default once, in words: pflag added
// "(default 0s)" after "(default: never)".
func TestGetHelpTimeoutDefault(t *testing.T) {
	code, stdout, _ := gyre(t, nil, "get", "--help")
	if code != 0 || !strings.Contains(stdout, "connecting included (default: never)\n") {
		t.Errorf("status %d; --timeout's line in:\n%s", code, stdout)
	}
}
