package poetrytest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"gyre/examples/internal/servercli"
	"gyre/internal/progtest"
)

// The command line of the tutorial's slow server (slowpoetry.py), which
// its two editions keep (examples/blocking-server, examples/async-server):
// the checks below run one of them and compare what it prints.

// SlowServerHelp is the help of the slow server's edition ("blocking",
// "asynchronous") in gyre's conventions: the original's text with the
// edition and its directory under examples/.
func SlowServerHelp(edition, goDir string) string {
	return `Usage: slowpoetry [options] poetry-file

This is the Slow Poetry Server, ` + edition + ` edition.
Run it like this:

  go run . <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/` + goDir + ` poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.
` + servercli.PoemsNote + `

Options:
  -h, --help            show this help message and exit
  --port=PORT           The port to listen on. Default to a random available
                        port.
  --iface=IFACE         The interface to listen on. Default is localhost.
  --delay=DELAY         The number of seconds between sending bytes.
  --num-bytes=NUM_BYTES
                        The number of bytes to send at a time.
`
}

// CheckSlowServerArguments runs the slow server exe with bad arguments:
// every problem found before listening is the usage (usage, what precedes
// the error line), then "slowpoetry: error: MESSAGE" on stderr, nothing on
// stdout, and exit status 2.
func CheckSlowServerArguments(t *testing.T, exe, usage string) {
	t.Helper()
	poem := PoemFile(t, "orchard")
	empty := WriteFile(t, "empty.txt", nil)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"no arguments", nil, "Provide exactly one poetry file."},
		{"two files", []string{poem, poem}, "Provide exactly one poetry file."},
		{"missing file", []string{dir + "/nope.txt"}, "No such file: " + dir + "/nope.txt"},
		{"directory", []string{dir}, "Not a file (a directory): " + dir},
		{"device", []string{"/dev/zero"}, "Not a regular file: /dev/zero"},
		{"empty file", []string{empty}, "Empty poetry file: " + empty},
		{"port abc", []string{"--port", "abc", poem}, "option --port: invalid integer value: 'abc'"},
		{"port 70000", []string{"--port", "70000", poem}, "option --port: 70000 is not a port number (0 to 65535)"},
		{"port -1", []string{"--port=-1", poem}, "option --port: -1 is not a port number (0 to 65535)"},
		{"delay abc", []string{"--delay", "abc", poem}, "option --delay: invalid floating-point value: 'abc'"},
		{"negative delay", []string{"--delay", "-1", poem}, "option --delay: the delay must be 0 or more seconds, not -1"},
		{"infinite delay", []string{"--delay", "inf", poem}, "option --delay: +Inf seconds is too long, the most is 9223372036 (about 292 years)"},
		{"num-bytes abc", []string{"--num-bytes", "abc", poem}, "option --num-bytes: invalid integer value: 'abc'"},
		{"num-bytes 0", []string{"--num-bytes", "0", poem}, "option --num-bytes: the server must send at least 1 byte at a time, not 0"},
		{"unknown flag", []string{"--bogus", poem}, "no such option: --bogus"},
		{"missing value", []string{poem, "--port"}, "--port option requires 1 argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := progtest.Run(t, 10*time.Second, exe, tc.args...)
			want := usage + "slowpoetry: error: " + tc.msg + "\n"
			if res.Code != 2 || res.Stdout != "" || res.Stderr != want {
				t.Errorf("exit %d\nstdout: %q\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
			}
		})
	}
}

// CheckSlowServerUnreadableFile runs the slow server exe with a file that
// exists but cannot be read: a usage error, "Cannot read PATH: REASON".
func CheckSlowServerUnreadableFile(t *testing.T, exe, usage string) {
	t.Helper()
	path, why := UnreadableFile(t)
	res := progtest.Run(t, 10*time.Second, exe, path)
	want := usage + "slowpoetry: error: Cannot read " + path + ": " + why + "\n"
	if res.Code != 2 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", res.Code, res.Stderr, want)
	}
}

// CheckSlowServerPortInUse runs the slow server exe on a port that is
// taken: one line, "slowpoetry: cannot listen on 127.0.0.1:PORT: address
// already in use", and exit status 1.
func CheckSlowServerPortInUse(t *testing.T, exe string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	res := progtest.Run(t, 10*time.Second, exe, "--iface", "127.0.0.1", "--port", port, PoemFile(t, "orchard"))
	want := "slowpoetry: cannot listen on 127.0.0.1:" + port + ": address already in use\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout: %q\nstderr: %q\nwant %q", res.Code, res.Stdout, res.Stderr, want)
	}
}

// Dial connects to a server program on the loopback port, with a deadline
// on the whole conversation, and closes the connection when the test ends.
func Dial(t *testing.T, port string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn
}
