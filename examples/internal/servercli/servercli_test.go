package servercli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/internal/optparse"
)

// exited is what the test parser's Exit panics with: a real program would
// be gone, and the code after the error must not run.
type exited struct{ code int }

// parseSlow runs ParseSlow with a parser that records instead of exiting,
// and returns the options, or the exit status and what went to stderr.
func parseSlow(t *testing.T, args ...string) (opts Slow, code int, stderr string) {
	t.Helper()
	var errOut bytes.Buffer
	p := optparse.New("slowpoetry", "%prog [options] poetry-file")
	p.Stdout, p.Stderr = &bytes.Buffer{}, &errOut
	p.Exit = func(code int) { panic(exited{code}) }
	code = -1
	func() {
		defer func() {
			if r := recover(); r != nil {
				e, ok := r.(exited)
				if !ok {
					panic(r)
				}
				code = e.code
			}
		}()
		opts = ParseSlow(p, args)
	}()
	return opts, code, errOut.String()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseSlow(t *testing.T) {
	poem := writeFile(t, "poem.txt", []byte("A short poem.\n"))
	opts, code, stderr := parseSlow(t, poem)
	want := Slow{Poem: Poem{Path: poem, Data: []byte("A short poem.\n")}, Iface: "localhost", Delay: 700 * time.Millisecond, NumBytes: 10}
	if code != -1 || stderr != "" || opts.Poem.Path != want.Poem.Path || string(opts.Poem.Data) != string(want.Poem.Data) ||
		opts.Port != 0 || opts.Iface != want.Iface || opts.Delay != want.Delay || opts.NumBytes != want.NumBytes {
		t.Errorf("defaults: %+v (exit %d, %q), want %+v", opts, code, stderr, want)
	}
	opts, _, _ = parseSlow(t, "--port", "10000", "--iface=127.0.0.1", "--delay", "0.25", poem, "--num-bytes", "3")
	if opts.Port != 10000 || opts.Iface != "127.0.0.1" || opts.Delay != 250*time.Millisecond || opts.NumBytes != 3 {
		t.Errorf("options given: %+v", opts)
	}
}

func TestParseSlowErrors(t *testing.T) {
	poem := writeFile(t, "poem.txt", []byte("A short poem.\n"))
	empty := writeFile(t, "empty.txt", nil)
	dir := t.TempDir()
	const usage = "Usage: slowpoetry [options] poetry-file\n\n"
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "Provide exactly one poetry file."},
		{[]string{poem, poem}, "Provide exactly one poetry file."},
		{[]string{"--port", "70000", poem}, "option --port: 70000 is not a port number (0 to 65535)"},
		{[]string{"--port=-1", poem}, "option --port: -1 is not a port number (0 to 65535)"},
		{[]string{"--delay", "-1", poem}, "option --delay: the delay must be 0 or more seconds, not -1"},
		{[]string{"--delay", "nan", poem}, "option --delay: the delay must be 0 or more seconds, not NaN"},
		{[]string{"--delay", "1e300", poem}, "option --delay: 1e+300 seconds is too long, the most is 9223372036 (about 292 years)"},
		{[]string{"--delay", "9223372036.854776", poem}, "option --delay: 9.223372036854776e+09 seconds is too long, the most is 9223372036 (about 292 years)"},
		{[]string{"--num-bytes", "0", poem}, "option --num-bytes: the server must send at least 1 byte at a time, not 0"},
		{[]string{dir + "/nope.txt"}, "No such file: " + dir + "/nope.txt"},
		{[]string{dir}, "Not a file (a directory): " + dir},
		{[]string{"/dev/zero"}, "Not a regular file: /dev/zero"},
		{[]string{empty}, "Empty poetry file: " + empty},
		// The checks come in the original's order: the first problem wins.
		{[]string{"--port", "70000", "--num-bytes", "0", dir}, "option --port: 70000 is not a port number (0 to 65535)"},
		{[]string{"--delay", "-1", "--num-bytes", "0", dir}, "option --delay: the delay must be 0 or more seconds, not -1"},
		{[]string{"--num-bytes", "0", dir}, "option --num-bytes: the server must send at least 1 byte at a time, not 0"},
	} {
		_, code, stderr := parseSlow(t, tc.args...)
		if want := usage + "slowpoetry: error: " + tc.msg + "\n"; code != 2 || stderr != want {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant:\n%s", tc.args, code, stderr, want)
		}
	}
}

func TestLoadPoem(t *testing.T) {
	small := writeFile(t, "small.txt", []byte("Small.\n"))
	big := writeFile(t, "big.txt", bytes.Repeat([]byte("Big. "), 100))
	pm, err := LoadPoem(big, 100)
	if err != nil || pm.File == nil || pm.Data != nil || pm.Path != big {
		t.Fatalf("a file above streamAbove: %+v, %v; want it open, not read", pm, err)
	}
	pm.File.Close()
	for _, streamAbove := range []int64{0, 1000} {
		if pm, err := LoadPoem(big, streamAbove); err != nil || pm.File != nil || len(pm.Data) != 500 {
			t.Errorf("streamAbove %d: %d bytes read, file %v, %v; want it read", streamAbove, len(pm.Data), pm.File, err)
		}
	}
	if pm, err := LoadPoem(small, 100); err != nil || string(pm.Data) != "Small.\n" {
		t.Errorf("small file: %+v, %v", pm, err)
	}
	if os.Geteuid() != 0 {
		unreadable := writeFile(t, "locked.txt", []byte("Locked.\n"))
		os.Chmod(unreadable, 0)
		if _, err := LoadPoem(unreadable, 0); err == nil || err.Error() != "Cannot read "+unreadable+": permission denied" {
			t.Errorf("unreadable file: %v", err)
		}
	}
}

// The originals read the poem as text, so a file with "\r\n" or "\r" line
// ends is served with "\n" only, and the slow server's sends count that.
func TestLoadPoemReadsLineEndsAsText(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"Line one\r\nLine two\r\n", "Line one\nLine two\n"},
		{"Old Mac\rend\r", "Old Mac\nend\n"},
		{"mixed\r\r\n\n\r", "mixed\n\n\n\n"},
		{"plain\n", "plain\n"},
	} {
		pm, err := LoadPoem(writeFile(t, "poem.txt", []byte(tc.file)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if string(pm.Data) != tc.want {
			t.Errorf("LoadPoem of %q served %q, want %q", tc.file, pm.Data, tc.want)
		}
	}
}

// TestListenOnEveryInterface: an empty host binds 0.0.0.0, as the
// original's bind to an empty host does.
func TestListenOnEveryInterface(t *testing.T) {
	fd, port, err := Listen("", 0, OriginalBacklog)
	if err != nil {
		t.Fatalf("Listen on \"\": %v", err)
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	in4, ok := sa.(*unix.SockaddrInet4)
	if !ok || in4.Addr != [4]byte{} || in4.Port != port || port == 0 {
		t.Errorf("bound %#v (port %d), want 0.0.0.0 and the port reported", sa, port)
	}
}
