package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/examples/internal/servercli"
	"gyre/internal/progtest"
	"gyre/poetry"
)

func TestMain(m *testing.M) { progtest.Main(m) }

const pkg = "./examples/blocking-server"

// wantHelp is the help the reference's Run 1 shows, adapted to gyre's
// conventions (program name, go run commands). TestUsageMatchesReference
// derives the same text from the transcript when it is available.
var wantHelp = poetrytest.SlowServerHelp("blocking", "blocking-server")

// usageText is what precedes an error message on stderr.
var usageText = wantHelp[:strings.Index(wantHelp, "Options:")]

func TestHelp(t *testing.T) {
	res := progtest.Run(t, 10*time.Second, progtest.Build(t, pkg), "--help")
	if res.Code != 0 || res.Stdout != wantHelp || res.Stderr != "" {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
}

// TestUsageMatchesReference replays Runs 1 to 8 of the original's
// transcript (help and command-line errors) and compares everything the
// program prints, with the team's adaptations.
func TestUsageMatchesReference(t *testing.T) {
	exe := progtest.Build(t, pkg)
	sections := progtest.LoadTranscript(t, "blocking-server__slowpoetry.txt")
	dir := t.TempDir()
	// The runs name the tutorial's poems; only their existence matters.
	os.MkdirAll(dir+"/poetry", 0o755)
	for _, f := range []string{"ecstasy.txt", "science.txt"} {
		os.WriteFile(dir+"/poetry/"+f, []byte("A poem.\n"), 0o644)
	}
	for i := 1; i <= 8; i++ {
		ref := progtest.FindSection(t, sections, fmt.Sprintf("Run %d:", i))
		t.Run(ref.Title, func(t *testing.T) {
			// "timeout 10 python3 blocking-server/slowpoetry.py ARGS..."
			fields := strings.Fields(ref.Command)
			if len(fields) < 4 || fields[3] != "blocking-server/slowpoetry.py" {
				t.Fatalf("unexpected command %q", ref.Command)
			}
			args := fields[4:]
			res := progtest.RunWith(t, progtest.Options{Dir: dir}, 10*time.Second, exe, args...)
			want := func(s string) string {
				return poetrytest.GyreText(s, "blocking-server", "slowpoetry", "blocking-server")
			}
			if res.Code != ref.Exit || res.Stdout != want(ref.Stdout()) || res.Stderr != want(ref.Stderr()) {
				t.Errorf("%q: exit %d (reference %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s",
					args, res.Code, ref.Exit, res.Stdout, want(ref.Stdout()), res.Stderr, want(ref.Stderr()))
			}
		})
	}
}

// TestBadArguments: every problem found before listening is one line on
// stderr (after the usage, for argument errors, as optparse does) and a
// non-zero exit, with nothing on stdout.
func TestBadArguments(t *testing.T) {
	poetrytest.CheckSlowServerArguments(t, progtest.Build(t, pkg), usageText)
}

// TestUnreadableFile: a file that exists but cannot be read.
func TestUnreadableFile(t *testing.T) {
	poetrytest.CheckSlowServerUnreadableFile(t, progtest.Build(t, pkg), usageText)
}

func TestPortInUse(t *testing.T) {
	poetrytest.CheckSlowServerPortInUse(t, progtest.Build(t, pkg))
}

// chunkLog is what the server prints for one client: the greeting with the
// client's own address as a Python tuple, and one line per send.
func chunkLog(conn net.Conn, poem []byte, numBytes int) string {
	local := conn.LocalAddr().(*net.TCPAddr)
	lines := fmt.Sprintf("Somebody at ('127.0.0.1', %d) wants poetry!\n", local.Port)
	for len(poem) > 0 {
		n := poetry.ChunkLen(poem, numBytes)
		lines += fmt.Sprintf("Sending %d bytes\n", n)
		poem = poem[n:]
	}
	return lines
}

// TestOneClientAtATime: two clients connect together; the first gets the
// whole poem before the server even greets the second. The log has every
// send, the sizes counting characters (the library poem has accented
// letters, so some 30-character sends are 31 or 32 bytes), and the bytes
// arrive exactly.
func TestOneClientAtATime(t *testing.T) {
	poem, _ := poetry.Poem("library")
	path := poetrytest.PoemFile(t, "library")
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg),
		"--delay", "0.001", path, "--num-bytes", "30")
	first := poetrytest.Dial(t, port)
	second := poetrytest.Dial(t, port)
	for _, conn := range []net.Conn{first, second} {
		got, err := io.ReadAll(conn)
		if err != nil || string(got) != string(poem) {
			t.Fatalf("got %d bytes (%v), want the %d bytes of the poem", len(got), err, len(poem))
		}
	}
	// Reading to the end of the second poem means its log is complete,
	// except for a possible last line in flight: stop the server first.
	res := proc.Stop()
	want := "Serving " + path + " on port " + port + ".\n" + chunkLog(first, poem, 30) + chunkLog(second, poem, 30)
	if res.Stdout != want || res.Stderr != "" {
		t.Errorf("log:\n%s\nwant:\n%s\nstderr:\n%s", res.Stdout, want, res.Stderr)
	}
}

// TestClientGoneMidPoem: a client that hangs up after the first bytes
// ends its poem quietly; the server carries on with the next client.
func TestClientGoneMidPoem(t *testing.T) {
	poem, _ := poetry.Poem("orchard")
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg),
		"--delay", "0.005", poetrytest.PoemFile(t, "orchard"))
	quitter := poetrytest.Dial(t, port)
	if _, err := io.ReadFull(quitter, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	quitter.Close()
	got, err := io.ReadAll(poetrytest.Dial(t, port))
	if err != nil || string(got) != string(poem) {
		t.Fatalf("next client got %d bytes (%v)", len(got), err)
	}
	res := proc.Stop()
	if res.Stderr != "" || strings.Count(res.Stdout, "wants poetry!") != 2 {
		t.Errorf("log:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
	if res.Signal.String() != "terminated" {
		t.Errorf("the server ended by itself (%+v), not by the test's SIGTERM", res)
	}
}

// TestDefaults: with no options the server picks a free port on
// localhost and sends 10 characters every 0.7 s, the original code's
// default (the tutorial's text says 0.1 s).
func TestDefaults(t *testing.T) {
	proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg), poetrytest.PoemFile(t, "orchard"))
	conn := poetrytest.Dial(t, port)
	start := time.Now()
	buf := make([]byte, 100)
	total := 0
	for total < 20 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	// The second chunk comes 0.7 s after the first.
	if took := time.Since(start); took < 650*time.Millisecond {
		t.Errorf("20 bytes in %v: the delay is not 0.7 s", took)
	}
	proc.WaitLine(regexp.MustCompile(`^Sending 10 bytes$`), 5*time.Second)
}

// TestListenQueueOfFive: as the original's listen(5), while one client is
// served, the kernel completes the connects of the next six (Linux queues
// backlog + 1) and leaves the seventh unanswered (its SYN is dropped until
// retried, a second later). With Go's own listener all ten would connect.
func TestListenQueueOfFive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the queue's length is counted as Linux counts it")
	}
	path := poetrytest.PoemFile(t, "library")
	_, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg), "--delay", "60", path)
	served := poetrytest.Dial(t, port)
	buf := make([]byte, 1)
	if _, err := io.ReadFull(served, buf); err != nil {
		t.Fatalf("the first client got nothing: %v", err)
	}
	// One connect at a time: two SYNs racing on two cores can both pass the
	// kernel's queue check, and the client side completes on the SYN-ACK, so
	// concurrent connects may count one more than the queue holds.
	connected := 0
	for range 10 {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), 500*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { conn.Close() })
		connected++
	}
	if connected != servercli.OriginalBacklog+1 {
		t.Errorf("%d of 10 connects completed while the server was busy, want %d (listen(%d))",
			connected, servercli.OriginalBacklog+1, servercli.OriginalBacklog)
	}
}

// interruptRun is the server stopped by Ctrl-C while it waits for a client
// (sending false) or while it sleeps between two sends to one (true), as
// in the reference's sessions 5 and 6, in dir, which holds
// poetry/science.txt. It returns the run and the server's port.
func interruptRun(t *testing.T, exe, dir string, sending bool, args ...string) (progtest.Result, string) {
	t.Helper()
	p := progtest.StartWith(t, progtest.Options{Dir: dir}, exe, args...)
	port := p.WaitLine(regexp.MustCompile(`^Serving .* on port (\d+)\.$`), 10*time.Second)[1]
	if sending {
		poetrytest.Dial(t, port)
		for range 2 {
			p.WaitLine(regexp.MustCompile(`^Sending 10 bytes$`), 10*time.Second)
		}
		// The line is out before the write that printed it has returned:
		// signalled at once, the server may still be in that write. Half
		// way through the --delay of 0.2 s, it is asleep.
		time.Sleep(100 * time.Millisecond)
	} else {
		time.Sleep(100 * time.Millisecond) // in accept, as a server waiting for clients is
	}
	return p.Signal(syscall.SIGINT), port
}

// interruptDir is a directory with poetry/science.txt, a poem of ASCII
// lines (so that every send is 10 bytes, as the reference's are), to run
// the server from with the reference's arguments.
func interruptDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "poetry"), 0o755); err != nil {
		t.Fatal(err)
	}
	poem := strings.Repeat("The science of the poem.\n", 40)
	if err := os.WriteFile(filepath.Join(dir, "poetry", "science.txt"), []byte(poem), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestInterrupt: as the original, the server handles no signal, and Ctrl-C
// ends it with the stack of where it waited (crash.OnInterrupt): accepting
// a connection, or sleeping between two sends, then "KeyboardInterrupt";
// it dies by SIGINT. Last, the reference's sessions 5 and 6 show the
// original doing the same: the log, then a traceback through accept() or
// send_poetry, then KeyboardInterrupt, and exit status -2 (killed by
// SIGINT, as Python's subprocess reports it).
func TestInterrupt(t *testing.T) {
	exe := progtest.Build(t, pkg)
	dir := interruptDir(t)
	cases := []struct {
		session string
		sending bool
		args    []string
		frames  []string // where the server waits, and who called
		refFunc string   // the innermost function of the original's traceback
	}{
		{"Server log: session 5", false, []string{"poetry/science.txt"},
			[]string{"net.(*TCPListener).Accept", "main.main"}, "accept"},
		{"Server log: session 6", true, []string{"poetry/science.txt", "--port", "0", "--iface", "127.0.0.1", "--delay", "0.2"},
			[]string{"time.Sleep", "main.sendPoetry", "main.main"}, "send_poetry"},
	}
	logs := make([]string, len(cases))
	for i, c := range cases {
		res, port := interruptRun(t, exe, dir, c.sending, c.args...)
		poetrytest.CheckInterrupt(t, res, c.frames...)
		logs[i] = strings.ReplaceAll(collapseLog(res.Stdout), port, "PORT")
	}

	for i, c := range cases {
		ref := progtest.FindSection(t, progtest.LoadTranscript(t, "blocking-server__slowpoetry.txt"), c.session)
		out, ok := strings.CutSuffix(ref.Blocks["output"], "\nKeyboardInterrupt\n")
		log, traceback, found := strings.Cut(out, "Traceback (most recent call last):\n")
		funcs := regexp.MustCompile(`(?m)^  File ".*", line \d+, in (\S+)$`).FindAllStringSubmatch(traceback, -1)
		if ref.Exit != -int(syscall.SIGINT) || !ok || !found || len(funcs) == 0 || funcs[len(funcs)-1][1] != c.refFunc {
			t.Fatalf("%s is not the original killed by SIGINT after a KeyboardInterrupt in %s:\n%s", c.session, c.refFunc, ref.Blocks["output"])
		}
		refPort := regexp.MustCompile(`on port (\d+)\.`).FindStringSubmatch(log)[1]
		if want := strings.ReplaceAll(collapseLog(log), refPort, "PORT"); logs[i] != want {
			t.Errorf("%s: log\n%s\nwant, as the original's:\n%s", c.session, logs[i], want)
		}
	}
}

// collapseLog is a server log with what varies from run to run made
// constant: the clients' ports, and how many sends came before the end.
func collapseLog(log string) string {
	log = regexp.MustCompile(`\('127\.0\.0\.1', \d+\)`).ReplaceAllString(log, "('127.0.0.1', CLIENT)")
	return regexp.MustCompile(`(Sending 10 bytes\n)+`).ReplaceAllString(log, "Sending 10 bytes\n...\n")
}

// TestInterruptWithStalledStderr: a stderr that takes nothing (a pipe
// nobody reads) does not keep Ctrl-C from ending the server: it still dies
// by SIGINT, about a second later.
func TestInterruptWithStalledStderr(t *testing.T) {
	p := progtest.StartWith(t, progtest.Options{Stderr: progtest.StalledPipe(t)},
		progtest.Build(t, pkg), poetrytest.PoemFile(t, "orchard"))
	p.WaitLine(regexp.MustCompile(`^Serving `), 10*time.Second)
	start := time.Now()
	res := p.Signal(syscall.SIGINT)
	if took := time.Since(start); res.Signal != syscall.SIGINT || took > 3*time.Second {
		t.Errorf("exit %d (signal %v) %v after Ctrl-C, want death by SIGINT within about a second",
			res.Code, res.Signal, took.Round(time.Millisecond))
	}
}
