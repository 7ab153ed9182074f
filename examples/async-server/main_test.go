package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
)

func TestMain(m *testing.M) { progtest.Main(m) }

const pkg = "./examples/async-server"

var wantHelp = poetrytest.SlowServerHelp("asynchronous", "async-server")

var usageText = wantHelp[:strings.Index(wantHelp, "Options:")]

// The command line is the blocking server's, and checked the same way.

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
		conns = append(conns, poetrytest.Dial(t, port))
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
	if greetings != clients || sent != clients*len(poem) || res.Stderr != "slowpoetry: terminated: 0 clients reset mid-poem\n" {
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
	conn := poetrytest.Dial(t, port)
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
	quitter, stayer := poetrytest.Dial(t, port), poetrytest.Dial(t, port)
	if _, err := io.ReadFull(quitter, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	quitter.Close()
	if got := readAll(t, []net.Conn{stayer})[0]; string(got) != string(poem) {
		t.Errorf("the other client got %d bytes", len(got))
	}
	if got := readAll(t, []net.Conn{poetrytest.Dial(t, port)})[0]; string(got) != string(poem) {
		t.Errorf("a later client got %d bytes", len(got))
	}
	res := proc.Stop()
	if res.Code != 143 || res.Stderr != "slowpoetry: terminated: 0 clients reset mid-poem\n" {
		t.Errorf("server ended with %+v", res)
	}
}

// TestStopResetsClientsMidPoem: a signal cuts the poems in flight with a
// reset, so that their clients know; the program says so and exits as the
// signal would have it. Killed by the signal, it left the kernel to close
// the sockets cleanly, and a client took the start of a poem for a poem.
func TestStopResetsClientsMidPoem(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		proc, port := poetrytest.StartServerProgram(t, progtest.Build(t, pkg), "--delay", "0.05", "--num-bytes", "10", poetrytest.PoemFile(t, "orchard"))
		c := poetrytest.Dial(t, port)
		if _, err := io.ReadFull(c, make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		res := proc.Signal(sig)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.ReadAll(c)
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%v: the client's read ended with %v, want a reset", sig, err)
		}
		want := fmt.Sprintf("slowpoetry: %v: 1 clients reset mid-poem\n", sig)
		if res.Code != 128+int(sig) || res.Stderr != want {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", sig, res.Code, res.Stderr, 128+int(sig), want)
		}
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
	slow := poetrytest.Dial(t, port)
	// Let the server start on the slow reader (its greeting is logged
	// before the first send) before the fast one arrives.
	proc.WaitLine(regexp.MustCompile(`wants poetry!$`), 10*time.Second)
	fast := poetrytest.Dial(t, port)
	if got := readAll(t, []net.Conn{fast})[0]; len(got) != len(big) {
		t.Fatalf("fast reader got %d bytes, want %d", len(got), len(big))
	}
	if got := readAll(t, []net.Conn{slow})[0]; string(got) != string(big) {
		t.Fatalf("slow reader got %d bytes, want %d", len(got), len(big))
	}
	proc.Stop()
}

// TestOutOfDescriptors: with descriptors for a dozen clients and thirty
// waiting, accept() fails while the first ones are served. The server
// must neither spin on the listening socket, which stays readable, nor
// log every failed accept, and must serve the clients waiting once the
// first ones are done.
func TestOutOfDescriptors(t *testing.T) {
	const clients = 30
	poem, _ := poetry.Poem("orchard")
	proc, port := poetrytest.StartServerProgramLimited(t, 20, progtest.Build(t, pkg),
		"--delay", "0.2", "--num-bytes", "1000", poetrytest.PoemFile(t, "orchard"))
	var conns []net.Conn
	for range clients {
		c := poetrytest.Dial(t, port)
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		conns = append(conns, c)
	}
	for i, got := range readAll(t, conns) {
		if string(got) != string(poem) {
			t.Errorf("client %d got %d bytes, want %d", i, len(got), len(poem))
		}
	}
	res := proc.Stop()
	lines := strings.Count(res.Stderr, "\n")
	t.Logf("stderr, %d lines:\n%.500s", lines, res.Stderr)
	if !strings.Contains(res.Stderr, "slowpoetry: accept: too many open files") || lines > 10 {
		t.Errorf("%d lines on stderr, want the failed accept said once or a few times; the first ones:\n%.500s", lines, res.Stderr)
	}
	if got := strings.Count(res.Stdout, " wants poetry!"); got != clients {
		t.Errorf("%d clients greeted, want %d", got, clients)
	}
}

// TestTurnedAwayBeyondSelect: select() watches descriptors below
// FD_SETSIZE only. A client beyond them is turned away with a reset: a
// clean close would read as the end of a whole, empty poem.
func TestTurnedAwayBeyondSelect(t *testing.T) {
	const clients = unix.FD_SETSIZE + 60
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	// This process holds one end of every connection, the server the
	// other: each needs more than FD_SETSIZE descriptors.
	// (Rlimit's fields are uint64 on Linux, int64 on the BSDs.)
	need := uint64(clients + 100)
	if uint64(lim.Max) < need {
		t.Skipf("the descriptor hard limit (ulimit -Hn) is %d; this test needs %d", lim.Max, need)
	}
	if uint64(lim.Cur) < need {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
	}
	proc, port := poetrytest.StartServerProgramLimited(t, int(need), progtest.Build(t, pkg),
		"--delay", "60", poetrytest.PoemFile(t, "orchard"))
	var conns []net.Conn
	served, reset := 0, 0
	for range clients {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), 10*time.Second)
		switch {
		case errors.Is(err, syscall.ECONNRESET):
			reset++ // turned away before the connect was reported done
		case err != nil:
			t.Fatal(err)
		default:
			t.Cleanup(func() { c.Close() })
			conns = append(conns, c)
		}
	}
	buf := make([]byte, 64)
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		n, err := c.Read(buf)
		switch {
		case n > 0:
			served++ // the first chunk; the next is a minute away
		case errors.Is(err, syscall.ECONNRESET):
			reset++
		default:
			t.Errorf("client %d: read %d bytes, %v; want a chunk or a reset", i, n, err)
		}
	}
	res := proc.Stop()
	greeted := strings.Count(res.Stdout, " wants poetry!")
	turned := strings.Count(res.Stderr, "slowpoetry: too many clients for select(); turned one away\n")
	t.Logf("%d clients served, %d reset", served, reset)
	if reset == 0 || served != greeted || reset != turned || served+reset != clients {
		t.Errorf("%d served (%d greeted), %d reset (%d turned away); want all %d one or the other, some reset",
			served, greeted, reset, turned, clients)
	}
}
