package main

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
)

func TestMain(m *testing.M) { progtest.Main(m) }

const pkg = "./examples/async-server"

const wantHelp = `Usage: slowpoetry [options] poetry-file

This is the Slow Poetry Server, asynchronous edition.
Run it like this:

  go run . <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/async-server poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.


Options:
  -h, --help            show this help message and exit
  --port=PORT           The port to listen on. Default to a random available
                        port.
  --iface=IFACE         The interface to listen on. Default is localhost.
  --delay=DELAY         The number of seconds between sending bytes.
  --num-bytes=NUM_BYTES
                        The number of bytes to send at a time.
`

var usageText = wantHelp[:strings.Index(wantHelp, "Options:")]

// TestUsageMatchesBlockingEdition: the exercise keeps the blocking
// server's command line; only the edition and the directory differ.
func TestUsageMatchesBlockingEdition(t *testing.T) {
	exe := progtest.Build(t, pkg)
	ref := progtest.FindSection(t, progtest.LoadTranscript(t, "blocking-server__slowpoetry.txt"), "Run 1:")
	want := poetrytest.GyreText(ref.Stdout(), "blocking-server", "slowpoetry", "async-server")
	want = strings.Replace(want, "blocking edition", "asynchronous edition", 1)
	res := progtest.Run(t, 10*time.Second, exe, "--help")
	if res.Code != 0 || res.Stdout != want || res.Stdout != wantHelp {
		t.Errorf("exit %d\n%s\nwant:\n%s", res.Code, res.Stdout, want)
	}
}

func TestBadArguments(t *testing.T) {
	exe := progtest.Build(t, pkg)
	poem := poetrytest.PoemFile(t, "orchard")
	empty := poetrytest.WriteFile(t, "empty.txt", nil)
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
		{"empty file", []string{empty}, "Empty poetry file: " + empty},
		{"port abc", []string{"--port", "abc", poem}, "option --port: invalid integer value: 'abc'"},
		{"port 70000", []string{"--port", "70000", poem}, "option --port: 70000 is not a port number (0 to 65535)"},
		{"delay abc", []string{"--delay", "abc", poem}, "option --delay: invalid floating-point value: 'abc'"},
		{"negative delay", []string{"--delay", "-1", poem}, "option --delay: the delay must be 0 or more seconds, not -1"},
		{"num-bytes abc", []string{"--num-bytes", "abc", poem}, "option --num-bytes: invalid integer value: 'abc'"},
		{"num-bytes 0", []string{"--num-bytes", "0", poem}, "option --num-bytes: the server must send at least 1 byte at a time, not 0"},
		{"unknown flag", []string{"--bogus", poem}, "no such option: --bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := progtest.Run(t, 10*time.Second, exe, tc.args...)
			want := usageText + "slowpoetry: error: " + tc.msg + "\n"
			if res.Code != 2 || res.Stdout != "" || res.Stderr != want {
				t.Errorf("exit %d\nstdout: %q\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
			}
		})
	}
}

// TestUnreadableFile: a file that exists but cannot be read.
func TestUnreadableFile(t *testing.T) {
	path, why := poetrytest.UnreadableFile(t)
	res := progtest.Run(t, 10*time.Second, progtest.Build(t, pkg), path)
	want := usageText + "slowpoetry: error: Cannot read " + path + ": " + why + "\n"
	if res.Code != 2 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", res.Code, res.Stderr, want)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	res := progtest.Run(t, 10*time.Second, progtest.Build(t, pkg),
		"--iface", "127.0.0.1", "--port", port, poetrytest.PoemFile(t, "orchard"))
	want := "slowpoetry: cannot listen on 127.0.0.1:" + port + ": address already in use\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout: %q\nstderr: %q\nwant %q", res.Code, res.Stdout, res.Stderr, want)
	}
}

func dial(t *testing.T, port string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn
}

// readAll reads each connection to the end in its own goroutine and
// returns what each got, in order.
func readAll(t *testing.T, conns []net.Conn) [][]byte {
	t.Helper()
	out := make([][]byte, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data, err := io.ReadAll(c)
			if err != nil {
				t.Errorf("client %d: %v", i, err)
			}
			out[i] = data
		}()
	}
	wg.Wait()
	return out
}

var sendingRE = regexp.MustCompile(`^Sending (\d+) bytes$`)

// TestManyClientsAtOnce: five clients connect together and are served
// side by side. A blocking server would need five poems' time; this one
// needs about one (the bound allows for a loaded machine). Every client
// gets the poem exactly, and every send is logged with its size in bytes.
func TestManyClientsAtOnce(t *testing.T) {
	const clients, delay = 5, 10 * time.Millisecond
	poem, _ := poetry.Poem("orchard")
	sends := 0
	for rest := poem; len(rest) > 0; sends++ {
		rest = rest[poetry.ChunkLen(rest, 10):]
	}
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg),
		"--delay", fmt.Sprint(delay.Seconds()), poetrytest.PoemFile(t, "orchard"))
	start := time.Now()
	var conns []net.Conn
	for range clients {
		conns = append(conns, dial(t, port))
	}
	for i, got := range readAll(t, conns) {
		if string(got) != string(poem) {
			t.Errorf("client %d got %d bytes, want %d", i, len(got), len(poem))
		}
	}
	took := time.Since(start)
	onePoem := time.Duration(sends) * delay
	t.Logf("%d clients in %v (one poem: %v)", clients, took, onePoem)
	if took < onePoem || took > 3*onePoem {
		t.Errorf("%d clients took %v; one poem takes %v, %d in a row %v", clients, took, onePoem, clients, clients*onePoem)
	}
	res := proc.Stop()
	greetings, sent := 0, 0
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasSuffix(line, " wants poetry!") {
			greetings++
		}
		if m := sendingRE.FindStringSubmatch(line); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			sent += n
		}
	}
	if greetings != clients || sent != clients*len(poem) || res.Stderr != "" {
		t.Errorf("%d greetings, %d bytes logged, stderr %q", greetings, sent, res.Stderr)
	}
}

// TestLogForOneClient: the exact log, greeting with the client's address
// as a Python tuple, and sends cut by characters (the library poem has
// accented letters, so some 30-character sends are 31 or 32 bytes).
func TestLogForOneClient(t *testing.T) {
	poem, _ := poetry.Poem("library")
	path := poetrytest.PoemFile(t, "library")
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg), path, "--delay=0", "--num-bytes=30")
	conn := dial(t, port)
	got := readAll(t, []net.Conn{conn})[0]
	if string(got) != string(poem) {
		t.Fatalf("got %d bytes, want %d", len(got), len(poem))
	}
	res := proc.Stop()
	want := fmt.Sprintf("Serving %s on port %s.\nSomebody at ('127.0.0.1', %d) wants poetry!\n",
		path, port, conn.LocalAddr().(*net.TCPAddr).Port)
	for rest := poem; len(rest) > 0; {
		n := poetry.ChunkLen(rest, 30)
		want += fmt.Sprintf("Sending %d bytes\n", n)
		rest = rest[n:]
	}
	if res.Stdout != want {
		t.Errorf("log:\n%s\nwant:\n%s", res.Stdout, want)
	}
}

// TestClientGoneMidPoem: a client that hangs up is dropped quietly (no
// crash from the broken pipe), and the others are not disturbed.
func TestClientGoneMidPoem(t *testing.T) {
	poem, _ := poetry.Poem("orchard")
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg), "--delay", "0.002", poetrytest.PoemFile(t, "orchard"))
	quitter, stayer := dial(t, port), dial(t, port)
	if _, err := io.ReadFull(quitter, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	quitter.Close()
	if got := readAll(t, []net.Conn{stayer})[0]; string(got) != string(poem) {
		t.Errorf("the other client got %d bytes", len(got))
	}
	if got := readAll(t, []net.Conn{dial(t, port)})[0]; string(got) != string(poem) {
		t.Errorf("a later client got %d bytes", len(got))
	}
	res := proc.Stop()
	if res.Signal.String() != "terminated" || res.Stderr != "" {
		t.Errorf("server ended with %+v", res)
	}
}

// TestSlowReaderDoesNotBlockOthers: a client that reads nothing fills its
// socket buffers, and the server's write to it comes back short. The
// server must keep the rest for later and go on serving the others, then
// finish the slow reader's poem when it reads.
func TestSlowReaderDoesNotBlockOthers(t *testing.T) {
	big := make([]byte, 16<<20)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	path := poetrytest.WriteFile(t, "big.txt", big)
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg), "--delay", "0", "--num-bytes", "4000000", path)
	slow := dial(t, port)
	// Let the server start on the slow reader (its greeting is logged
	// before the first send) before the fast one arrives.
	proc.WaitLine(regexp.MustCompile(`wants poetry!$`), 10*time.Second)
	fast := dial(t, port)
	if got := readAll(t, []net.Conn{fast})[0]; len(got) != len(big) {
		t.Fatalf("fast reader got %d bytes, want %d", len(got), len(big))
	}
	if got := readAll(t, []net.Conn{slow})[0]; string(got) != string(big) {
		t.Fatalf("slow reader got %d bytes, want %d", len(got), len(big))
	}
	proc.Stop()
}
