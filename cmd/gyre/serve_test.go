package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"gyre/poetry"
)

// Without arguments gyre serves every embedded poem, each on a port of its
// own, and logs one record per client.
func TestServeEmbeddedPoems(t *testing.T) {
	s := startServer(t, 3)
	if got, want := strings.Join(s.names, " "), strings.Join(poetry.Poems(), " "); got != want {
		t.Errorf("serving %q, want %q", got, want)
	}
	for i, addr := range s.addrs {
		d := fetchPoem(t, addr)
		if d.err != nil || !bytes.Equal(d.data, embedded(t, s.names[i])) {
			t.Errorf("%s from %s: %d bytes, %v", s.names[i], addr, len(d.data), d.err)
		}
	}
	_, port, _ := net.SplitHostPort(s.addrs[0])
	s.waitLog("msg=served poem=" + s.names[0] + " port=" + port + " peer=127.0.0.1:")
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	log := s.stderr.String()
	if !regexp.MustCompile(`msg=served poem=library port=\d+ peer=127\.0\.0\.1:\d+ bytes=3014 duration=\S+ outcome=done`).MatchString(log) {
		t.Errorf("no record of the library client:\n%s", log)
	}
	if !strings.Contains(log, "msg=stopped served=3 lost=0 refused=0 bytes=4215") {
		t.Errorf("no totals:\n%s", log)
	}
}

// Files and embedded names together, on consecutive ports from --port; a
// large file is streamed.
func TestServeFilesAndPorts(t *testing.T) {
	small := writeFile(t, "small.txt", []byte("A small poem.\n"))
	big := bytes.Repeat([]byte("All work and no play makes Jack a dull boy.\n"), 3<<20/44)
	bigPath := writeFile(t, "big.txt", big)
	port := freePorts(t, 3)
	s := startServer(t, 3, "--port", strconv.Itoa(port), small, "orchard", bigPath)
	for i, want := range []string{small, "orchard", bigPath} {
		if s.names[i] != want || s.addrs[i] != "127.0.0.1:"+strconv.Itoa(port+i) {
			t.Errorf("poem %d: serving %s on %s", i, s.names[i], s.addrs[i])
		}
	}
	for i, want := range [][]byte{[]byte("A small poem.\n"), embedded(t, "orchard"), big} {
		d := fetchPoem(t, s.addrs[i])
		if d.err != nil || !bytes.Equal(d.data, want) {
			t.Errorf("poem %d: %d bytes (want %d), %v", i, len(d.data), len(want), d.err)
		}
	}
}

func TestServeJSONLog(t *testing.T) {
	s := startServer(t, 1, "--log-format", "json", "night-bus")
	fetchPoem(t, s.addrs[0])
	s.waitLog(`"msg":"served"`)
	s.signal(syscall.SIGINT)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !regexp.MustCompile(`\{"time":"[^"]+","level":"INFO","msg":"served","poem":"night-bus","port":\d+,"peer":"127\.0\.0\.1:\d+","bytes":593,"duration":\d+,"outcome":"done"\}`).MatchString(s.stderr.String()) {
		t.Errorf("log:\n%s", s.stderr.String())
	}
}

func TestServeQuiet(t *testing.T) {
	s := startServer(t, 1, "--quiet", "night-bus")
	fetchPoem(t, s.addrs[0])
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 || s.stderr.String() != "" {
		t.Errorf("exit status %d, log %q", code, s.stderr.String())
	}
}

// --slow sends --num-bytes characters every --delay.
func TestServeSlowTiming(t *testing.T) {
	const delay = 60 * time.Millisecond
	poem := writeFile(t, "p.txt", []byte("0123456789abcdefghijABCDEFGHIJ!!")) // 4 chunks of 10, 10, 10, 2
	s := startServer(t, 1, "--slow", "--num-bytes", "10", "--delay", "0.06", poem)
	d := fetchPoem(t, s.addrs[0])
	if d.err != nil || string(d.data) != "0123456789abcdefghijABCDEFGHIJ!!" {
		t.Fatalf("got %q, %v", d.data, d.err)
	}
	if len(d.reads) != 4 {
		t.Errorf("%d reads, want a chunk each of 4 sends", len(d.reads))
	}
	// The server's schedule is absolute: chunk k goes k delays after the
	// connection (which is after d.start), the close one delay after the
	// last chunk. A loaded machine can make chunks late, never early, but
	// for the resolution of that connection time: the kernel tells it in
	// ticks (TCP_INFO, up to 4 ms at HZ=250), so allow one coarse tick.
	const tick = 10 * time.Millisecond
	for k, at := range d.reads {
		if early := d.start.Add(time.Duration(k) * delay).Sub(at); early > tick {
			t.Errorf("chunk %d came %v before its time", k+1, early)
		}
	}
	if took := d.end.Sub(d.start); took < 4*delay-tick || took > 4*delay+2*time.Second {
		t.Errorf("the poem took %v, want about %v", took, 4*delay)
	}
}

// --blocking serves one client at a time: a second client gets nothing
// until the first has its whole poem.
func TestServeBlocking(t *testing.T) {
	poem := writeFile(t, "p.txt", []byte("one two three four five six"))
	s := startServer(t, 1, "--blocking", "--slow", "--num-bytes", "5", "--delay", "0.03", poem)
	first := connect(t, s.addrs[0])
	buf := make([]byte, 5)
	first.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := first.Read(buf); err != nil { // the first is being served
		t.Fatal(err)
	}
	second := connect(t, s.addrs[0])
	// The first client notes when its last chunk came. The server closes
	// that connection one delay (30 ms) later and only then serves the
	// second, so the second's first chunk comes well after it. (The moment
	// this goroutine sees end of file would race with the second read.)
	done := make(chan time.Time, 1)
	go func() {
		var last time.Time
		b := make([]byte, 64)
		for {
			n, err := first.Read(b)
			if n > 0 {
				last = time.Now()
			}
			if err != nil {
				break
			}
		}
		done <- last
	}()
	second.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := second.Read(buf); err != nil {
		t.Fatal(err)
	}
	secondStarted := time.Now()
	firstEnded := <-done
	if secondStarted.Before(firstEnded) {
		t.Errorf("the second client got data %v before the first one's last chunk", firstEnded.Sub(secondStarted))
	}
	rest, err := readAll(t, second)
	if err != nil || string(buf)+string(rest) != "one two three four five six" {
		t.Errorf("second client: %q, %v", string(buf)+string(rest), err)
	}
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if n := strings.Count(s.stderr.String(), "msg=served"); n != 2 {
		t.Errorf("%d client records:\n%s", n, s.stderr.String())
	}
}

// --loops 2: two loops share the port; clients at the same time are all
// served, by both loops.
func TestServeLoops(t *testing.T) {
	s := startServer(t, 1, "--loops", "2", "--slow", "--num-bytes", "200", "--delay", "0.02", "night-bus")
	const clients = 16
	results := make(chan download, clients)
	for range clients {
		go func() { results <- fetchPoem(t, s.addrs[0]) }()
	}
	want := embedded(t, "night-bus")
	for range clients {
		d := <-results
		if d.err != nil || !bytes.Equal(d.data, want) {
			t.Errorf("a client got %d bytes, %v", len(d.data), d.err)
		}
	}
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	log := s.stderr.String()
	if !strings.Contains(log, "loops=2") || strings.Count(log, "msg=served") != clients {
		t.Errorf("log:\n%s", log)
	}
	// The kernel spreads connections by a hash of their addresses: with
	// 16 of them, both loops get some but once in 30,000 runs.
	for _, loop := range []string{"loop=0", "loop=1"} {
		if !strings.Contains(log, "msg=served "+loop+" poem=night-bus") {
			t.Errorf("%s served nobody:\n%s", loop, log)
		}
	}
}

// Connections beyond --max-conns are reset at once and counted, in the
// log and in /metrics, and so is the poem its client left unfinished.
func TestServeMaxConns(t *testing.T) {
	s := startServer(t, 1, "--max-conns", "1", "--slow", "--num-bytes", "10", "--delay", "0.05",
		"--metrics", "127.0.0.1:0", "night-bus")
	s.waitLog("msg=serving")
	maddr := metricsAttr.FindStringSubmatch(s.stderr.String())[1]
	first := connect(t, s.addrs[0])
	buf := make([]byte, 10)
	first.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := first.Read(buf); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		d := fetchPoem(t, s.addrs[0])
		if len(d.data) != 0 {
			t.Errorf("a connection over the limit got %d bytes", len(d.data))
		}
	}
	s.waitLog("refused connections beyond --max-conns")
	first.(*net.TCPConn).SetLinger(0)
	first.Close() // a reset: the poem is lost to the connection, not to gyre
	s.waitLog("msg=served")
	_, body := httpGet(t, "http://"+maddr+"/metrics")
	for _, want := range []string{
		`gyre_connections_refused_total{loop="0"} 3`,
		`gyre_poems_lost_total{loop="0",reason="connection_error"} 1`,
		`gyre_poems_lost_total{loop="0",reason="cut"} 0`,
		`gyre_poems_served_total{loop="0"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	log := s.stderr.String()
	if !regexp.MustCompile(`level=WARN msg="refused connections beyond --max-conns" refused=\d+ total=\d+ max_conns=1`).MatchString(log) ||
		!strings.Contains(log, "refused=3 bytes=") {
		t.Errorf("log:\n%s", log)
	}
}

// SIGTERM stops accepting; the poem in flight finishes, then exit 0.
func TestServeGracefulStop(t *testing.T) {
	poem := writeFile(t, "p.txt", []byte(strings.Repeat("x", 50)))
	s := startServer(t, 1, "--slow", "--num-bytes", "10", "--delay", "0.05", poem)
	conn := connect(t, s.addrs[0])
	buf := make([]byte, 10)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	s.signal(syscall.SIGTERM)
	s.waitLog("msg=\"stopping: no new connections; the poems in flight may finish\" signal=terminated in_flight=1")
	if !isRefused(s.addrs[0]) {
		t.Error("still accepting after SIGTERM")
	}
	rest, err := readAll(t, conn)
	if err != nil || len(rest)+10 != 50 {
		t.Errorf("the poem in flight: %d bytes, %v", len(rest)+10, err)
	}
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(s.stderr.String(), "bytes=50 duration=") {
		t.Errorf("log:\n%s", s.stderr.String())
	}
}

// When --grace runs out, the connections left are cut and gyre exits 0.
func TestServeGraceExpires(t *testing.T) {
	s := startServer(t, 1, "--slow", "--delay", "0.05", "--grace", "100ms", "library")
	conn := connect(t, s.addrs[0])
	buf := make([]byte, 10)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.signal(syscall.SIGINT)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("exiting took %v with a grace of 100ms", took)
	}
	rest, _ := readAll(t, conn)
	if len(rest)+10 >= 3014 {
		t.Error("the whole poem was sent despite the grace period")
	}
	log := s.stderr.String()
	if !strings.Contains(log, "grace period over") || !strings.Contains(log, "outcome=\"lost: ") {
		t.Errorf("log:\n%s", log)
	}
}

// Started with SIGHUP ignored (nohup gyre serve &), gyre serve keeps it
// ignored and goes on serving after a hang-up: catching it drained the
// server and exited the moment the terminal that started it went away,
// which is what nohup is for.
func TestServeNohup(t *testing.T) {
	s := startServerCmd(t, 1, exec.Command("/bin/sh", "-c", `trap '' HUP; exec "$0" serve library`, gyreBinary))
	s.signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	if d := fetchPoem(t, s.addrs[0]); d.err != nil || len(d.data) != len(embedded(t, "library")) {
		t.Errorf("after SIGHUP under nohup: %d bytes, %v; log:\n%s", len(d.data), d.err, s.stderr.String())
	}
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 || strings.Contains(s.stderr.String(), "signal=hangup") {
		t.Errorf("exit status %d; log:\n%s", code, s.stderr.String())
	}
}

// A second signal exits at once.
func TestServeSecondSignal(t *testing.T) {
	s := startServer(t, 1, "--slow", "--delay", "0.05", "library")
	conn := connect(t, s.addrs[0])
	buf := make([]byte, 10)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	s.signal(syscall.SIGTERM)
	s.waitLog("msg=\"stopping")
	start := time.Now()
	s.signal(syscall.SIGTERM)
	if code := s.wait(5 * time.Second); code != 143 {
		t.Errorf("exit status %d, want 143", code)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the second signal took %v to end gyre", took)
	}
	lines := strings.Split(strings.TrimSpace(s.stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "gyre: second signal (terminated)") {
		t.Errorf("last line %q", last)
	}
}

func TestServeBadArguments(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, "empty.txt", nil)
	busyPort := heldPort(t)
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{filepath.Join(dir, "missing.txt")}, 2, filepath.Join(dir, "missing.txt") + ": no such file, nor an embedded poem (those are: library, night-bus, orchard)"},
		{[]string{dir}, 2, dir + " is a directory, not a poem"},
		{[]string{empty}, 2, empty + " is empty: there is no poem to serve"},
		{[]string{"--port", "abc"}, 2, `invalid argument "abc" for "--port" flag: not a port number (0 to 65535)`},
		{[]string{"--port", "70000"}, 2, `invalid argument "70000" for "--port" flag: not a port number (0 to 65535)`},
		{[]string{"--port", "65535", "library", "orchard"}, 2, "--port 65535: 2 poems need ports up to 65536, past 65535"},
		{[]string{"--port", busyPort, "library"}, 1, "Couldn't listen on localhost:" + busyPort + ": [Errno 98] Address already in use."},
		// Taken and ignored by the blocking server.
		{[]string{"--blocking", "--max-conns", "5", "library"}, 2, "--blocking serves one client at a time: --max-conns 5 does not apply (only 0, the default)"},
		// A default spelt out is no mistake, whichever flag it is (the
		// server starts: the port is taken).
		{[]string{"--blocking", "--loops", "1", "--max-conns", "0", "--direct=false", "--proxy-protocol=false", "--port", busyPort, "library"}, 1, "cannot listen on localhost:" + busyPort + ": address already in use"},
		{[]string{"--blocking", "--direct", "library"}, 2, "--direct is how the reactor server makes its system calls: it does not apply with --blocking"},
		{[]string{"--blocking", "--port", busyPort, "library"}, 1, "cannot listen on localhost:" + busyPort + ": address already in use"},
		{[]string{"--loud"}, 2, "unknown flag: --loud"},
		{[]string{"--delay", "0.5"}, 2, "--delay applies only with --slow"},
		{[]string{"--slow", "--num-bytes", "0"}, 2, "--num-bytes must be at least 1, not 0"},
		{[]string{"--slow", "--delay", "-1"}, 2, `invalid argument "-1" for "--delay" flag: not a duration of 0 or more seconds`},
		{[]string{"--log-format", "xml"}, 2, `invalid argument "xml" for "--log-format" flag: want text, json`},
		{[]string{"--blocking", "--loops", "2"}, 2, "--blocking serves one client at a time: --loops 2 does not apply (only 1, the default)"},
		{[]string{"--blocking", "--loops", "0"}, 2, "--blocking serves one client at a time: --loops 0 does not apply (only 1, the default)"},
	} {
		code, stdout, stderr := gyre(t, nil, append([]string{"serve"}, tt.args...)...)
		if code != tt.code || stdout != "" || stderr != "gyre: "+tt.stderr+"\n" {
			t.Errorf("gyre serve %q: status %d, stdout %q, stderr %q\nwant status %d, stderr %q", tt.args, code, stdout, stderr, tt.code, "gyre: "+tt.stderr)
		}
	}
}

// --max-conns past what the descriptor limit leaves once gyre's own are
// counted is refused at start, naming the limit, as --loops is. It was
// taken: the accepts past the limit then failed with EMFILE, and the
// clients beyond waited in the listen queue instead of being reset as
// --max-conns says.
func TestServeMaxConnsOverDescriptorLimit(t *testing.T) {
	busyPort := heldPort(t)
	// Under a limit of 256, one loop with one listener keeps 100: 64 for
	// the log and the runtime, 32 for the metrics endpoint, an epoll, a
	// wake-up, an io_uring ring and the listener.
	for _, tt := range []struct {
		maxConns string
		code     int
		stderr   string
	}{
		{"157", 2, "gyre: --max-conns 157: the descriptor limit is 256 (ulimit -n), which leaves room for 156 connections once gyre's own 100 are counted\n"},
		{"100000", 2, "gyre: --max-conns 100000: the descriptor limit is 256 (ulimit -n), which leaves room for 156 connections once gyre's own 100 are counted\n"},
		// Within the room the server starts (and fails on the port taken).
		{"156", 1, "gyre: Couldn't listen on localhost:" + busyPort + ": [Errno 98] Address already in use.\n"},
	} {
		cmd := exec.Command("/bin/bash", "-c", `ulimit -n 256 && exec "$0" "$@"`, gyreBinary,
			"serve", "--max-conns", tt.maxConns, "--port", busyPort, "library")
		if code, stderr := runBriefly(t, cmd); code != tt.code || stderr != tt.stderr {
			t.Errorf("--max-conns %s under ulimit -n 256: status %d, stderr %q; want %d, %q", tt.maxConns, code, stderr, tt.code, tt.stderr)
		}
	}
}

// A file whose size says it is small but that has more to read (files of
// /proc report 0 bytes) is read no further than the bound stat's size was
// checked against, and refused: it was read whole into memory.
func TestServeReadsNoFurtherThanTheBound(t *testing.T) {
	const path = "/proc/kallsyms" // some megabytes, size 0
	if b, err := os.ReadFile(path); err != nil || len(b) <= streamThreshold {
		t.Skipf("%s is not there with more than %d bytes to read", path, streamThreshold)
	}
	code, _, stderr := gyre(t, nil, "serve", "--port", "0", path)
	want := "gyre: " + path + " has more than 1.0 MiB to read, though its size is 0 B: serve a file that does not change\n"
	if code != 2 || stderr != want {
		t.Errorf("status %d, stderr %q; want 2, %q", code, stderr, want)
	}
}

// A file the size of the threshold and more is streamed; --slow refuses
// what it cannot hold.
func TestServeSlowRefusesHugePoems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(slowLimit + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	code, _, stderr := gyre(t, nil, "serve", "--slow", path)
	if code != 2 || !strings.Contains(stderr, "--slow serves poems of at most 16.0 MiB") {
		t.Errorf("status %d, stderr %q", code, stderr)
	}
}

func TestServeHelp(t *testing.T) {
	code, stdout, _ := gyre(t, nil, "serve", "--help")
	for _, want := range []string{"gyre serve [flags] [POEM...]", "Examples:", "--port port", "--slow", "--num-bytes", "--delay duration",
		"--blocking", "--loops", "--grace duration", "--max-conns", "--log-format text|json", "--quiet", "SO_REUSEPORT"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if code != 0 {
		t.Errorf("status %d", code)
	}
}

// gyre serve --help says what the server does: a connection beyond
// --max-conns is reset (a clean close would read as a whole, empty poem),
// SIGHUP drains as SIGINT and SIGTERM do, and --listen takes every endpoint
// the parser does. So does the refusals' metric.
func TestServeHelpTexts(t *testing.T) {
	code, help, _ := gyre(t, nil, "serve", "--help")
	if code != 0 {
		t.Fatalf("gyre serve --help: status %d", code)
	}
	flags := map[string]string{}
	for line := range strings.Lines(help) {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "--") {
			flags[f[0]] = line
		}
	}
	for _, tt := range []struct{ where, text, want string }{
		{"--max-conns", flags["--max-conns"], "reset at once"},
		{"--grace", flags["--grace"], "SIGINT, SIGTERM or SIGHUP"},
		{"--listen", flags["--listen"], "ssl:"},
		{"--listen", flags["--listen"], "name=NAME"},
		{"the long help", help, "are reset as soon as accepted"},
		{"the long help", help, "(or name=NAME"},
		{"the refusals' metric", descRefused.String(), "reset as soon as accepted"},
	} {
		if !strings.Contains(tt.text, tt.want) {
			t.Errorf("%s does not say %q:\n%s", tt.where, tt.want, tt.text)
		}
	}
	if strings.Contains(help, "closed at once") || strings.Contains(help, "closed as soon as") {
		t.Errorf("the help still says connections are closed:\n%s", help)
	}
}

// The long help's prose is filled to its width: no line of a paragraph
// stops where the next word would still fit, unless it ends a sentence.
// The --max-conns paragraph's first line was cut short to keep a phrase
// on one line.
func TestServeHelpFilled(t *testing.T) {
	const width = 75
	lines := strings.Split(serveLong, "\n")
	for i := 0; i+1 < len(lines); i++ {
		line, next := lines[i], lines[i+1]
		if line == "" || next == "" || strings.HasPrefix(line, " ") || strings.HasPrefix(next, " ") || strings.HasSuffix(line, ".") {
			continue // a paragraph's or a sentence's end, or the flag table
		}
		if word := strings.Fields(next)[0]; len(line)+1+len(word) <= width {
			t.Errorf("serve's help, line %d is short: %q would fit after %q", i+1, word, line)
		}
	}
}

// No line of a command's long help is wider than 75 columns (the help is
// read on an 80-column terminal, after cobra's margins), the flag tables
// included. cobra's own commands (help, completion) are cobra's text.
func TestHelpWidth(t *testing.T) {
	const width = 75
	forEachCommand(newRootCmd(), func(cmd *cobra.Command) {
		if cmd.Name() == "help" || cmd.Name() == "completion" || (cmd.HasParent() && cmd.Parent().Name() == "completion") {
			return
		}
		for i, line := range strings.Split(cmd.Long, "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("%s's help, line %d is %d columns: %q", cmd.CommandPath(), i+1, n, line)
			}
		}
	})
}
