// Tests for the tutorial's first Twisted server (part 11), fastpoetry, and
// the programs of the exercises that change it: fastpoetry-exercise-2 (on
// the reactor's low-level API), -3 (slow) and -4 (several poems on several
// ports). Each program is built once and run for real; the tests are its
// clients, on loopback, with ports the system picks.
package twistedserver1_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
	"gyre/reactor"
)

func TestMain(m *testing.M) { progtest.Main(m) }

var (
	fastpoetry = poetrytest.Program{Dir: "twisted-server-1", Name: "fastpoetry"}
	exercise2  = poetrytest.Program{Dir: "twisted-server-1", Name: "fastpoetry-exercise-2"}
	exercise3  = poetrytest.Program{Dir: "twisted-server-1", Name: "fastpoetry-exercise-3"}
	exercise4  = poetrytest.Program{Dir: "twisted-server-1", Name: "fastpoetry-exercise-4"}
)

func exe(t *testing.T) string { return fastpoetry.Exe(t) }

func transcript(t *testing.T) []progtest.Section { return fastpoetry.Transcript(t) }

// fromReference turns the original's text into gyre's (GyreText: the
// team's naming conventions, and the note on where the tutorial's poems
// come from after the help's example).
func fromReference(s string) string { return fastpoetry.GyreText(s) }

// usage is what precedes "fastpoetry: error: ..." on a usage error: the
// help up to its options (TestHelp compares the help with the original's).
func usage(t *testing.T) string { return poetrytest.Usage(t, exe(t)) }

// TestHelp: the original's help, with the note on the tutorial's poems.
func TestHelp(t *testing.T) {
	t.Parallel()
	ref := progtest.FindSection(t, transcript(t), "Run 1:")
	res := progtest.Run(t, 10*time.Second, exe(t), ref.Command[strings.Index(ref.Command, "--help"):])
	if want := fromReference(ref.Stdout()); res.Code != 0 || res.Stdout != want || res.Stderr != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Stdout, want, res.Stderr)
	}
}

// TestUsageMatchesReference replays the original's usage errors (no file,
// two files, a missing file, a bad port, --delay, which the original does
// not have) in a directory laid out as the tutorial's, and compares
// everything.
func TestUsageMatchesReference(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "poetry"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The runs name the tutorial's poems; only their existence matters.
	for _, f := range []string{"ecstasy.txt", "science.txt"} {
		if err := os.WriteFile(filepath.Join(dir, "poetry", f), []byte("A poem.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, run := range []string{"Run 2:", "Run 3:", "Run 4:", "Run 5:", "Run 6:"} {
		ref := progtest.FindSection(t, transcript(t), run)
		// "timeout 10 python3 twisted-server-1/fastpoetry.py ARGS..."
		args := strings.Fields(ref.Command)[4:]
		res := progtest.RunWith(t, progtest.Options{Dir: dir}, 10*time.Second, exe(t), args...)
		if want := fromReference(ref.Stderr()); res.Code != ref.Exit || res.Stdout != "" || res.Stderr != want {
			t.Errorf("%s: exit %d (reference %d)\nstderr:\n%s\nwant:\n%s", ref.Title, res.Code, ref.Exit, res.Stderr, want)
		}
	}
}

// TestBadArguments: every problem found before listening is one line on
// stderr after the usage, and exit status 2, with nothing on stdout.
func TestBadArguments(t *testing.T) {
	t.Parallel()
	poem := poetrytest.PoemFile(t, "orchard")
	empty := poetrytest.WriteFile(t, "empty.txt", nil)
	unreadable, why := poetrytest.UnreadableFile(t)
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
		{"unreadable file", []string{unreadable}, "Cannot read " + unreadable + ": " + why},
		{"port abc", []string{"--port", "abc", poem}, "option --port: invalid integer value: 'abc'"},
		{"port 70000", []string{"--port", "70000", poem}, "option --port: 70000 is not a port number (0 to 65535)"},
		{"port -1", []string{"--port=-1", poem}, "option --port: -1 is not a port number (0 to 65535)"},
		{"delay", []string{"--delay", "0.1", poem}, "no such option: --delay"},
		{"num-bytes", []string{"--num-bytes", "10", poem}, "no such option: --num-bytes"},
		{"unknown option", []string{"--bogus", poem}, "no such option: --bogus"},
		{"missing value", []string{poem, "--port"}, "--port option requires 1 argument"},
	} {
		res := progtest.Run(t, 10*time.Second, exe(t), tc.args...)
		if want := usage(t) + "fastpoetry: error: " + tc.msg + "\n"; res.Code != 2 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("%s: exit %d\nstdout: %q\nstderr:\n%s\nwant:\n%s", tc.name, res.Code, res.Stdout, res.Stderr, want)
		}
	}
}

var servingRE = regexp.MustCompile(`^Serving (.+) on IPv4Address\(type='TCP', host='127\.0\.0\.1', port=(\d+)\)\.$`)

// startServer runs fastpoetry with args and waits for a "Serving" line per
// poem; it returns the process and the ports, in argument order.
func startServer(t *testing.T, poems int, args ...string) (*progtest.Proc, []string) {
	t.Helper()
	return startServerWith(t, progtest.Options{}, fastpoetry, poems, args...)
}

// startServerWith is startServer for any of the programs, with Options.
func startServerWith(t *testing.T, o progtest.Options, prog poetrytest.Program, poems int, args ...string) (*progtest.Proc, []string) {
	t.Helper()
	p := progtest.StartWith(t, o, prog.Exe(t), args...)
	var ports []string
	for range poems {
		ports = append(ports, p.WaitLine(servingRE, 10*time.Second)[2])
	}
	return p, ports
}

// fetch downloads the poem on port: everything until the server closes.
// It may run on any goroutine, so it returns its error rather than
// failing the test.
func fetch(port string) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	return io.ReadAll(conn)
}

// fetchAll downloads from every port n times at once and checks that each
// download is the whole poem.
func fetchAll(t *testing.T, n int, ports []string, poems [][]byte) {
	t.Helper()
	var wg sync.WaitGroup
	for i, port := range ports {
		for range n {
			wg.Go(func() {
				got, err := fetch(port)
				if err != nil || !bytes.Equal(got, poems[i]) {
					t.Errorf("port %s: got %d bytes (%v), want the %d of the poem", port, len(got), err, len(poems[i]))
				}
			})
		}
	}
	wg.Wait()
}

// TestServe: one poem, ten clients at once, each gets all of it; the one
// line printed is the original's; SIGTERM stops it cleanly.
func TestServe(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("library")
	path := poetrytest.PoemFile(t, "library")
	p, ports := startServer(t, 1, path)
	fetchAll(t, 10, ports, [][]byte{poem})
	res := p.Stop()
	want := "Serving " + path + " on IPv4Address(type='TCP', host='127.0.0.1', port=" + ports[0] + ").\n"
	if res.Code != 0 || res.Stdout != want || res.Stderr != "" {
		t.Errorf("exit %d (signal %v)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Signal, res.Stdout, want, res.Stderr)
	}
}

// TestSignalsMatchReference replays the reference's two server sessions:
// the "Serving" line as the original prints it, then a clean exit with
// status 0 and nothing more on SIGTERM (session 1, fixed port) and SIGINT
// (session 2, a port chosen by the system).
func TestSignalsMatchReference(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "poetry"), 0o755)
	for _, f := range []string{"ecstasy.txt", "alla_sera.txt"} {
		os.WriteFile(filepath.Join(dir, "poetry", f), []byte("A poem.\n"), 0o644)
	}
	free := poetrytest.FreePort(t)
	for _, tc := range []struct {
		session string
		sig     syscall.Signal
	}{
		{"Server log: session 1", syscall.SIGTERM},
		{"Server log: session 2", syscall.SIGINT},
	} {
		ref := progtest.FindSection(t, transcript(t), tc.session)
		// "python3 -u twisted-server-1/fastpoetry.py ARGS... &"
		fields := strings.Fields(ref.Command)
		ports := poetrytest.PortMap{"10021": free}
		args := ports.Args(fields[3 : len(fields)-1])
		p, got := startServerWith(t, progtest.Options{Dir: dir}, fastpoetry, 1, args...)
		ports["10021"], ports["33269"] = got[0], got[0]
		res := p.Signal(tc.sig)
		if want := ports.Text(ref.Blocks["output"]); res.Code != ref.Exit || res.Stdout != want || res.Stderr != "" {
			t.Errorf("%s (%v): exit %d (signal %v)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s",
				tc.session, tc.sig, res.Code, res.Signal, res.Stdout, want, res.Stderr)
		}
	}
}

// TestTwistedClient replays the reference's run 10: Twisted client 2.0
// downloads three copies at once from the server, and they end in the
// order they were asked for, as there. Where the reactors batch their
// reads and writes (GYRE_BATCHED_IO=1: the server sends the three poems in
// one submission at the end of its turn) the three arrive together and may
// end in any order; only the lines themselves are checked then.
func TestTwistedClient(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("library")
	_, ports := startServer(t, 1, poetrytest.PoemFile(t, "library"))
	client := progtest.Build(t, "./examples/twisted-client-2/get-poetry")
	res := progtest.Run(t, 30*time.Second, client, ports[0], ports[0], ports[0])
	size := strconv.Itoa(utf8.RuneCount(poem)) // the client counts characters
	last := "Task 3: " + size + " characters of poetry\nGot 3 poems in "
	if os.Getenv(reactor.BatchEnv) == "1" {
		last = " characters of poetry\nGot 3 poems in "
	}
	for _, line := range []string{
		"Task 1: " + size + " characters of poetry\n",
		"Task 2: " + size + " characters of poetry\n",
		"Task 3: " + size + " characters of poetry\n",
		last,
	} {
		if !strings.Contains(res.Stdout, line) {
			t.Errorf("no %q in the client's output:\n%s", line, res.Stdout)
		}
	}
	if res.Code != 0 || res.Stderr != "" {
		t.Errorf("client: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}

// TestSeveralPoems: exercise 4 serves several files, each on a port of its
// own: ports the system chooses by default, consecutive ones from --port.
func TestSeveralPoems(t *testing.T) {
	t.Parallel()
	var paths []string
	var poems [][]byte
	for _, name := range []string{"library", "orchard", "night-bus"} {
		poem, _ := poetry.Poem(name)
		poems = append(poems, poem)
		paths = append(paths, poetrytest.PoemFile(t, name))
	}
	p, ports := startServerWith(t, progtest.Options{}, exercise4, 3, paths...)
	if ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Errorf("the poems share ports: %v", ports)
	}
	fetchAll(t, 3, ports, poems)
	res := p.Stop()
	for i, path := range paths {
		if want := "Serving " + path + " on "; !strings.HasPrefix(strings.Split(res.Stdout, "\n")[i], want) {
			t.Errorf("line %d is not %q...:\n%s", i+1, want, res.Stdout)
		}
	}

	// From --port P: P, P+1, P+2 (found free a moment before), on the
	// interface given.
	first := freePorts(t, 3)
	_, ports = startServerWith(t, progtest.Options{}, exercise4, 3, append([]string{"--iface", "127.0.0.1", "--port", strconv.Itoa(first)}, paths...)...)
	for i, port := range ports {
		if port != strconv.Itoa(first+i) {
			t.Errorf("--port %d: poem %d on port %s, want %d", first, i+1, port, first+i)
		}
	}
	fetchAll(t, 1, ports, poems)
}

// freePorts returns a port P such that P, P+1 ... P+n-1 were all free a
// moment ago.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		first, _ := strconv.Atoi(poetrytest.FreePort(t))
		if first+n-1 > 65535 {
			continue
		}
		ok := true
		for k := 1; k < n && ok; k++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(first+k))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatalf("found no %d free consecutive ports", n)
	return 0
}

// TestPortInUse: a port that is taken is one line with Twisted's message,
// the reference's last line (run 15), and exit status 1.
func TestPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	res := progtest.Run(t, 10*time.Second, exe(t), "--port", port, poetrytest.PoemFile(t, "orchard"))
	want := "fastpoetry: Couldn't listen on localhost:" + port + ": [Errno 98] Address already in use.\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	// Last: without ../shared the test stops (skips) here. The line is
	// the last of the original's traceback, its exit status the same.
	ref := progtest.FindSection(t, transcript(t), "Run 15:")
	lines := strings.Split(strings.TrimSuffix(ref.Stderr(), "\n"), "\n")
	msg := strings.TrimPrefix(lines[len(lines)-1], "twisted.internet.error.CannotListenError: ")
	refLine := "fastpoetry: " + poetrytest.PortMap{"10022": port}.Text(msg) + "\n"
	if ref.Exit != res.Code || refLine != want {
		t.Errorf("the reference's run 15 says %q, exit %d", msg, ref.Exit)
	}
}

// reads is what a client saw of a poem: each read, and when.
type reads struct {
	sizes []int
	times []time.Time
	data  []byte
	start time.Time // just before the connect
}

// fetchSlowly downloads the poem on port read by read. It may run on any
// goroutine, so it returns its error rather than failing the test.
func fetchSlowly(port string) (reads, error) {
	r := reads{start: time.Now()}
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
	if err != nil {
		return r, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 64<<10)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			r.sizes = append(r.sizes, n)
			r.times = append(r.times, time.Now())
			r.data = append(r.data, buf[:n]...)
		}
		if errors.Is(err, io.EOF) {
			return r, nil
		}
		if err != nil {
			return r, err
		}
	}
}

// TestSlow: exercise 3, with --num-bytes and --delay, sends the poem a piece at a time,
// the pieces spaced by the delay, and still whole; two clients at once are
// served side by side, not one after the other.
func TestSlow(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	const numBytes, delay = 100, 30 * time.Millisecond
	sends, piece := 0, 0 // piece: the largest send, in bytes
	for rest := poem; len(rest) > 0; {
		n := poetry.ChunkLen(rest, numBytes)
		sends, piece, rest = sends+1, max(piece, n), rest[n:]
	}
	_, ports := startServerWith(t, progtest.Options{}, exercise3, 1, "--num-bytes", strconv.Itoa(numBytes), "--delay", "0.03", poetrytest.PoemFile(t, "orchard"))
	var wg sync.WaitGroup
	results := make([]reads, 2)
	errs := make([]error, 2)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = fetchSlowly(ports[0]) })
	}
	wg.Wait()
	for i, r := range results {
		if errs[i] != nil || !bytes.Equal(r.data, poem) {
			t.Fatalf("got %d bytes (%v), want the %d of the poem", len(r.data), errs[i], len(poem))
		}
		// Reads may merge pieces when the reader is late (a loaded
		// machine stalls it now and then, for several delays at times),
		// never split them into more than were sent; on loopback most
		// come as sent. A server sending larger pieces fails both.
		if len(r.sizes) < sends/2 || len(r.sizes) > sends {
			t.Errorf("%d reads (%v) for %d sends", len(r.sizes), r.sizes, sends)
		}
		whole := 0
		for _, n := range r.sizes {
			if n <= piece {
				whole++
			}
		}
		if whole < len(r.sizes)/2 {
			t.Errorf("%d of %d reads (%v) hold one piece at most: the sends are %d characters", whole, len(r.sizes), r.sizes, numBytes)
		}
		// The first piece comes at once, the last (sends-1) delays later.
		if spread := r.times[len(r.times)-1].Sub(r.times[0]); spread < time.Duration(sends-1)*delay*8/10 {
			t.Errorf("the pieces came within %v; %d sends %v apart take at least %v", spread, sends, delay, time.Duration(sends-1)*delay)
		}
	}
	if gap := results[1].times[0].Sub(results[0].times[0]).Abs(); gap > 2*delay {
		t.Errorf("the second client's poem started %v after the first's: served one after the other", gap)
	}
}

// TestSlowDefaults: exercise 3 with --delay alone sends 10 characters at a time; --num-bytes
// alone waits 0.7 s (the original slow server's default) between sends. Reads may merge sends when the reader is
// late, so the sizes are judged by the time the whole poem takes.
func TestSlowDefaults(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	path := poetrytest.PoemFile(t, "orchard")
	sends := func(numBytes int) int {
		n := 0
		for rest := poem; len(rest) > 0; rest = rest[poetry.ChunkLen(rest, numBytes):] {
			n++
		}
		return n
	}
	for _, tc := range []struct {
		args  []string
		sends int
		delay time.Duration
	}{
		{[]string{"--delay", "0.004"}, sends(10), 4 * time.Millisecond},
		{[]string{"--num-bytes", "300"}, sends(300), 700 * time.Millisecond},
	} {
		_, ports := startServerWith(t, progtest.Options{}, exercise3, 1, append(tc.args, path)...)
		r, err := fetchSlowly(ports[0])
		if err != nil || len(r.times) == 0 {
			t.Fatalf("%q: %v", tc.args, err)
		}
		// From the connect, not the first read: a client descheduled
		// for a while reads the first pieces together, late, which
		// would shorten the spread; the server cannot send the last
		// piece before (sends-1) delays after the connection, however
		// late its ticks are.
		spread := r.times[len(r.times)-1].Sub(r.start)
		if floor := time.Duration(tc.sends-1) * tc.delay * 8 / 10; !bytes.Equal(r.data, poem) || spread < floor {
			t.Errorf("%q: %d bytes, the last piece %v after the connect; want %d bytes in %d sends %v apart",
				tc.args, len(r.data), spread, len(poem), tc.sends, tc.delay)
		}
	}
}

// TestClientGoneMidPoem: a client that hangs up in the middle of exercise 3's slow
// poem costs the others nothing: they get theirs whole, and the server
// goes on serving.
func TestClientGoneMidPoem(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	p, ports := startServerWith(t, progtest.Options{}, exercise3, 1, "--num-bytes", "50", "--delay", "0.005", poetrytest.PoemFile(t, "orchard"))
	quitter, err := net.DialTimeout("tcp", "127.0.0.1:"+ports[0], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	quitter.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(quitter, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	quitter.(*net.TCPConn).SetLinger(0) // and rudely: a reset
	quitter.Close()
	fetchAll(t, 3, ports, [][]byte{poem})
	if res := p.Stop(); res.Code != 0 || res.Stderr != "" {
		t.Errorf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}

// TestBigPoem: a poem above 1 MiB is streamed from its file, to several
// clients at once, byte for byte.
func TestBigPoem(t *testing.T) {
	t.Parallel()
	line, _ := poetry.Poem("night-bus")
	big := bytes.Repeat(line, (3<<20)/2/len(line)+1)
	path := poetrytest.WriteFile(t, "big.txt", big)
	_, ports := startServer(t, 1, path)
	fetchAll(t, 3, ports, [][]byte{big})
}

// TestEveryBackend serves on every backend this system has, fast
// (fastpoetry) and slow (exercise 3), to several clients at once.
func TestEveryBackend(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("library")
	path := poetrytest.PoemFile(t, "library")
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := poetrytest.OnBackend(backend)
			_, ports := startServerWith(t, env, fastpoetry, 1, path)
			fetchAll(t, 5, ports, [][]byte{poem})
			_, ports = startServerWith(t, env, exercise3, 1, "--num-bytes", "500", "--delay", "0.001", path)
			fetchAll(t, 5, ports, [][]byte{poem})
		})
	}
}

// TestUnknownBackend: an unknown GYRE_REACTOR is one line and exit 1 (and
// shows that the variable is read, so TestEveryBackend is not running the
// default backend thrice).
func TestUnknownBackend(t *testing.T) {
	t.Parallel()
	poetrytest.CheckUnknownBackend(t, exe(t), "fastpoetry", poetrytest.PoemFile(t, "orchard"))
}

// TestExercisesUsage: the exercises' command lines, each checked as its
// base program's: exercise 2 takes fastpoetry's, exercise 3 the slow
// server's (--num-bytes and --delay), exercise 4 several files; bad
// arguments are the usage and one line, exit status 2.
func TestExercisesUsage(t *testing.T) {
	t.Parallel()
	poem := poetrytest.PoemFile(t, "orchard")
	for _, tc := range []struct {
		prog poetrytest.Program
		args []string
		msg  string
	}{
		{exercise2, nil, "Provide exactly one poetry file."},
		{exercise2, []string{poem, poem}, "Provide exactly one poetry file."},
		{exercise2, []string{"--delay", "1", poem}, "no such option: --delay"},
		{exercise2, []string{"--port", "70000", poem}, "option --port: 70000 is not a port number (0 to 65535)"},
		{exercise3, nil, "Provide exactly one poetry file."},
		{exercise3, []string{poem, poem}, "Provide exactly one poetry file."},
		{exercise3, []string{"--delay", "-1", poem}, "option --delay: the delay must be 0 or more seconds, not -1"},
		{exercise3, []string{"--num-bytes", "0", poem}, "option --num-bytes: the server must send at least 1 byte at a time, not 0"},
		{exercise4, nil, "Provide at least one poetry file."},
		{exercise4, []string{"--port", "65535", poem, poem}, "option --port: 2 poetry files from port 65535 need ports up to 65536, past 65535"},
		{exercise4, []string{"--delay", "1", poem}, "no such option: --delay"},
	} {
		exe := tc.prog.Exe(t)
		res := progtest.Run(t, 10*time.Second, exe, tc.args...)
		if want := poetrytest.Usage(t, exe) + tc.prog.Name + ": error: " + tc.msg + "\n"; res.Code != 2 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("%s %q: exit %d\nstdout: %q\nstderr:\n%s\nwant:\n%s", tc.prog.Name, tc.args, res.Code, res.Stdout, res.Stderr, want)
		}
	}
}

// TestExercise2: the low-level server serves a poem to many clients at
// once, and a poem far larger than a socket's buffers (so that the kernel
// takes it in many writes, DoWrite after DoWrite) byte for byte; clients
// that hang up early or send something cost the others nothing; SIGTERM
// ends it with status 0 and nothing on stderr.
func TestExercise2(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("library")
	path := poetrytest.PoemFile(t, "library")
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			p, ports := startServerWith(t, poetrytest.OnBackend(backend), exercise2, 1, path)
			fetchAll(t, 20, ports, [][]byte{poem})
			res := p.Stop()
			want := "Serving " + path + " on IPv4Address(type='TCP', host='127.0.0.1', port=" + ports[0] + ").\n"
			if res.Code != 0 || res.Stdout != want || res.Stderr != "" {
				t.Errorf("exit %d (signal %v)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Signal, res.Stdout, want, res.Stderr)
			}
		})
	}

	line, _ := poetry.Poem("night-bus")
	big := bytes.Repeat(line, (4<<20)/len(line)+1)
	p, ports := startServerWith(t, progtest.Options{}, exercise2, 1, poetrytest.WriteFile(t, "big.txt", big))
	// A client that reads a little and leaves, one that says something
	// first: neither disturbs the others.
	quitter, err := net.DialTimeout("tcp", "127.0.0.1:"+ports[0], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	quitter.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(quitter, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	quitter.Close()
	talker, err := net.DialTimeout("tcp", "127.0.0.1:"+ports[0], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	talker.SetDeadline(time.Now().Add(20 * time.Second))
	talker.Write([]byte("Hello, poetry server!\n"))
	got, err := io.ReadAll(talker)
	talker.Close()
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("a client that spoke first: %d bytes (%v), want %d", len(got), err, len(big))
	}
	fetchAll(t, 3, ports, [][]byte{big})
	if res := p.Stop(); res.Code != 0 || res.Stderr != "" {
		t.Errorf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}

// TestExercise2PortInUse: a port that is taken is one line and exit
// status 1.
func TestExercise2PortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	res := progtest.Run(t, 10*time.Second, exercise2.Exe(t), "--iface", "127.0.0.1", "--port", port, poetrytest.PoemFile(t, "orchard"))
	want := "fastpoetry-exercise-2: cannot listen on 127.0.0.1:" + port + ": address already in use\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
}
