package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/poetry"
)

var (
	taskLine  = `Task %d: got %d bytes of poetry from %s in \d+:\d\d:\d\d(\.\d{6})?\n`
	totalLine = `Got %d poems in \d+:\d\d:\d\d(\.\d{6})?\n`
)

func TestGetEveryMode(t *testing.T) {
	poems := [][]byte{embedded(t, "night-bus"), embedded(t, "orchard")}
	addrs := slowServers(t, 200, 10*time.Millisecond, poems...)
	for _, mode := range []string{"reactor", "async", "blocking"} {
		code, stdout, stderr := gyre(t, nil, "get", "--mode", mode, addrs[0], addrs[1])
		if code != 0 || stderr != "" {
			t.Errorf("%s: status %d, stderr %q", mode, code, stderr)
		}
		// Lines come as the tasks finish: in order for the blocking
		// client, in any order for the others.
		lines := strings.SplitAfter(stdout, "\n")
		if len(lines) != 4 || lines[3] != "" {
			t.Fatalf("%s: output %q", mode, stdout)
		}
		for i, poem := range poems {
			re := regexp.MustCompile("^" + fmt.Sprintf(taskLine, i+1, len(poem), regexp.QuoteMeta(addrs[i])) + "$")
			if !re.MatchString(lines[0]) && !re.MatchString(lines[1]) {
				t.Errorf("%s: no line for task %d in %q", mode, i+1, stdout)
			}
			if mode == "blocking" && !re.MatchString(lines[i]) {
				t.Errorf("blocking: line %d is %q", i+1, lines[i])
			}
		}
		if !regexp.MustCompile("^" + fmt.Sprintf(totalLine, 2) + "$").MatchString(lines[2]) {
			t.Errorf("%s: total line %q", mode, lines[2])
		}
	}
}

// A bare port means 127.0.0.1; --print prints the poems, in the order of
// the addresses, byte for byte (no newline added), and nothing else.
func TestGetPrint(t *testing.T) {
	poems := [][]byte{embedded(t, "orchard"), []byte("no newline at the end")}
	addrs := slowServers(t, 1000, 0, poems...)
	port := addrs[1][strings.LastIndex(addrs[1], ":")+1:]
	code, stdout, stderr := gyre(t, nil, "get", "--print", addrs[0], port)
	if code != 0 || stderr != "" || stdout != string(poems[0])+"no newline at the end" {
		t.Errorf("status %d, stderr %q, stdout %q", code, stderr, stdout)
	}
}

// --transform cummingsify with --seed repeats the dice of poetry's
// Cummingsify for that seed: lower case, gibberish (the task fails) or
// the original kept.
func TestGetTransform(t *testing.T) {
	poem := embedded(t, "night-bus")
	addr := slowServers(t, 1000, 0, poem)[0]
	seen := map[string]bool{}
	for seed := uint64(1); len(seen) < 3 && seed < 50; seed++ {
		if outcome := seedOutcome(poem, seed); !seen[outcome] {
			seen[outcome] = true
			checkSeed(t, addr, poem, seed)
		}
	}
	if len(seen) != 3 {
		t.Errorf("seeds 1 to 49 gave only %v", seen)
	}
}

// --seed 0 is a seed like the others: eight runs, the same dice. It was
// taken for no seed at all, and the dice were random.
func TestGetTransformSeedZero(t *testing.T) {
	poem := embedded(t, "night-bus")
	addr := slowServers(t, 1000, 0, poem)[0]
	for range 8 {
		checkSeed(t, addr, poem, 0)
	}
}

// seedOutcome is what poetry's Cummingsify does to poem with seed: lower
// case, gibberish or kept.
func seedOutcome(poem []byte, seed uint64) string {
	_, err := poetry.Cummingsify(string(poem), rand.New(rand.NewPCG(seed, seed)))
	var gib *poetry.GibberishError
	switch {
	case err == nil:
		return "lower"
	case errors.As(err, &gib):
		return "gibberish"
	}
	return "kept"
}

// checkSeed runs gyre get --print --transform with seed against addr,
// which serves poem, and checks the outcome is the seed's.
func checkSeed(t *testing.T, addr string, poem []byte, seed uint64) {
	t.Helper()
	code, stdout, stderr := gyre(t, nil, "get", "--print", "--transform", "cummingsify", "--seed", fmt.Sprint(seed), addr)
	switch seedOutcome(poem, seed) {
	case "lower":
		if code != 0 || stdout != strings.ToLower(string(poem)) || stderr != "" {
			t.Errorf("seed %d (lower case): status %d, stderr %q, stdout %.40q", seed, code, stderr, stdout)
		}
	case "gibberish":
		if code != 1 || stdout != "" || stderr != "Task 1: the poem from "+addr+" was judged gibberish (GibberishError)\n" {
			t.Errorf("seed %d (gibberish): status %d, stderr %q, stdout %.40q", seed, code, stderr, stdout)
		}
	case "kept":
		if code != 0 || stdout != string(poem) || stderr != "Task 1: cummingsify failed; keeping the poem from "+addr+" as it was\n" {
			t.Errorf("seed %d (kept): status %d, stderr %q, stdout %.40q", seed, code, stderr, stdout)
		}
	}
}

func TestGetTimeout(t *testing.T) {
	addr := silent(t)
	for _, mode := range []string{"reactor", "async", "blocking"} {
		start := time.Now()
		code, stdout, stderr := gyre(t, nil, "get", "--mode", mode, "--timeout", "0.2", addr)
		if code != 1 || stderr != "Task 1: failed to get poetry from "+addr+": timed out after 200ms\n" ||
			!regexp.MustCompile("^"+fmt.Sprintf(totalLine, 0)+"$").MatchString(stdout) {
			t.Errorf("%s: status %d, stdout %q, stderr %q", mode, code, stdout, stderr)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: a timeout of 0.2 s took %v", mode, took)
		}
	}
}

// A mix of good and bad servers: the good poems are delivered, each bad
// one gets a line on stderr, and the status is 1.
func TestGetMixedResults(t *testing.T) {
	good := slowServers(t, 1000, 0, embedded(t, "orchard"))[0]
	bad := refused(t)
	for _, mode := range []string{"reactor", "async", "blocking"} {
		code, stdout, stderr := gyre(t, nil, "get", "--mode", mode, bad, good)
		want := "^" + fmt.Sprintf(taskLine, 2, 608, regexp.QuoteMeta(good)) + fmt.Sprintf(totalLine, 1) + "$"
		if code != 1 || stderr != "Task 1: failed to get poetry from "+bad+": connection refused\n" || !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("%s: status %d, stdout %q, stderr %q", mode, code, stdout, stderr)
		}
	}
}

func TestGetBadArguments(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{nil, "get needs at least one server address (PORT, HOST:PORT or [IPV6]:PORT)"},
		{[]string{"abc"}, `"abc" is not a server address: give PORT, HOST:PORT or [IPV6]:PORT`},
		{[]string{"10000", "localhost:0"}, `"localhost:0" is not a server address: port 0 is out of range (1-65535)`},
		{[]string{"--mode", "threads", "10000"}, `invalid argument "threads" for "--mode" flag: want reactor, async, blocking`},
		{[]string{"--timeout", "soon", "10000"}, `invalid argument "soon" for "--timeout" flag: not a duration (seconds, as 0.5, or with a unit, as 500ms)`},
		// 2^63 ns: the one count of seconds that passed a bound checked on
		// the seconds themselves, and then became a negative timeout.
		{[]string{"--timeout", "9223372036.854776", "10000"}, `invalid argument "9223372036.854776" for "--timeout" flag: too long: the most is 9223372036 seconds (about 292 years)`},
		{[]string{"--timeout", "1e400", "10000"}, `invalid argument "1e400" for "--timeout" flag: too long: the most is 9223372036 seconds (about 292 years)`},
		{[]string{"--timeout", "3000000h", "10000"}, `invalid argument "3000000h" for "--timeout" flag: too long: the most is 9223372036 seconds (about 292 years)`},
		{[]string{"--timeout", "-inf", "10000"}, `invalid argument "-inf" for "--timeout" flag: not a duration of 0 or more seconds`},
		{[]string{"--timeout", "3000000x", "10000"}, `invalid argument "3000000x" for "--timeout" flag: not a duration (seconds, as 0.5, or with a unit, as 500ms)`},
		{[]string{"--max-bytes", "-1", "10000"}, "--max-bytes must be 0 (no limit) or more, not -1"},
		// The range named was int64's, whose negative half the flag refuses.
		{[]string{"--max-bytes", "99999999999999999999", "10000"}, `invalid argument "99999999999999999999" for "--max-bytes" flag: out of range (0 to 9223372036854775807)`},
		{[]string{"--progress", "sometimes", "10000"}, `invalid argument "sometimes" for "--progress" flag: want auto, always, never`},
		{[]string{"--seed", "3", "10000"}, "--seed applies only with --transform"},
		{[]string{"--timeline", "/nonexistent/dir/x.svg", "10000"}, "--timeline: /nonexistent/dir: no such directory"},
	} {
		code, stdout, stderr := gyre(t, nil, append([]string{"get"}, tt.args...)...)
		if code != 2 || stdout != "" || stderr != "gyre: "+tt.stderr+"\n" {
			t.Errorf("gyre get %q: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.stderr)
		}
	}
}

// --timeline writes the figure: SVG with one lane per task, or text on
// stderr.
func TestGetTimeline(t *testing.T) {
	addrs := slowServers(t, 300, 5*time.Millisecond, embedded(t, "night-bus"), embedded(t, "orchard"))
	bad := refused(t)
	svg := filepath.Join(t.TempDir(), "run.svg")
	code, _, _ := gyre(t, nil, "get", "--mode", "async", "--timeline", svg, addrs[0], addrs[1], bad)
	if code != 1 {
		t.Errorf("status %d", code)
	}
	f, err := os.Open(svg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	var lanes []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not XML: %v", svg, err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "g" {
			var class, state string
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "class":
					class = a.Value
				case "data-state":
					state = a.Value
				}
			}
			if class == "lane" {
				lanes = append(lanes, state)
			}
		}
	}
	if strings.Join(lanes, " ") != "done done failed" {
		t.Errorf("lanes %q, want two done and one failed", lanes)
	}

	code, _, stderr := gyre(t, nil, "get", "--mode", "blocking", "--timeline", "-", addrs[0], addrs[1])
	// Blocking mode: the first lane starts at the left edge (waiting or
	// receiving, depending on how soon the first chunk came), the second
	// only after the first is done.
	first := regexp.MustCompile(regexp.QuoteMeta(addrs[0]) + ` \|[-#]`)
	second := regexp.MustCompile(regexp.QuoteMeta(addrs[1]) + ` \| +[-#]`)
	if code != 0 || !strings.HasPrefix(stderr, "gyre get (blocking mode)\n") ||
		!first.MatchString(stderr) || !second.MatchString(stderr) ||
		!strings.Contains(stderr, "legend: # data received") {
		t.Errorf("status %d, text timeline:\n%s", code, stderr)
	}
}

// --timeline into a FIFO: the reader gets the figure. The check made
// before the run opened the FIFO and closed it, which ended the reader's
// input with nothing in it (and waited for a reader, had there been none
// yet); the figure then waited for good for another.
func TestGetTimelineIntoFIFO(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "orchard"))[0]
	fifo := filepath.Join(t.TempDir(), "figure.svg")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	read := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo) // waits for gyre to open it for writing
		if err != nil {
			read <- nil
			return
		}
		defer f.Close()
		data, _ := io.ReadAll(f)
		read <- data
	}()
	code, _, stderr := gyre(t, nil, "get", "--timeline", fifo, addr)
	var data []byte
	select {
	case data = <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader of the FIFO never finished")
	}
	if code != 0 || !bytes.Contains(data, []byte("</svg>")) {
		t.Errorf("status %d, stderr %q, the reader got %d bytes: %.80q", code, stderr, len(data), data)
	}
}

// --progress always into a pipe with more tasks than its 80 lines: a
// window of the tasks and a line that counts them all. The lines past 80
// were dropped without a word: tasks 1 to 20 never appeared.
func TestGetProgressAlwaysManyTasks(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	args := []string{"get", "--progress", "always"}
	for range 100 {
		args = append(args, addr)
	}
	code, stdout, _ := gyre(t, nil, args...)
	frames := strings.Split(stdout, "\x1b[J")
	last := frames[len(frames)-1]
	board, _, _ := strings.Cut(last, "Got 100 poems")
	if code != 0 || strings.Count(board, "\n") > 80 || !strings.Contains(board, "100 tasks: 100 done, 0 failed, 0 under way, 0 waiting") {
		t.Errorf("status %d, last frame of %d lines:\n%s", code, strings.Count(board, "\n"), last)
	}
}

// --progress always draws the live lines even into a pipe.
func TestGetProgressAlways(t *testing.T) {
	addr := slowServers(t, 100, 5*time.Millisecond, embedded(t, "night-bus"))[0]
	code, stdout, _ := gyre(t, nil, "get", "--progress", "always", addr)
	if code != 0 || !strings.Contains(stdout, "\x1b[") || !regexp.MustCompile(`Task 1  `+regexp.QuoteMeta(addr)+` +\[=+\] +593 B .* done in 0:00:0`).MatchString(stdout) {
		t.Errorf("status %d, output %q", code, stdout)
	}
	if !strings.HasSuffix(stdout, "\n"+regexp.MustCompile(`Got 1 poems in \S+\n$`).FindString(stdout)) {
		t.Errorf("no total after the board: %q", stdout)
	}
	// Without a terminal, auto means plain lines.
	_, stdout, _ = gyre(t, nil, "get", addr)
	if strings.Contains(stdout, "\x1b") {
		t.Errorf("escape codes in a pipe: %q", stdout)
	}
}

func TestGetHelp(t *testing.T) {
	code, stdout, _ := gyre(t, nil, "get", "--help")
	for _, want := range []string{"gyre get [flags] ADDR...", "Examples:", "--mode reactor|async|blocking", "--timeout duration",
		"--transform cummingsify", "--seed", "--print", "--progress auto|always|never", "--timeline"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if code != 0 {
		t.Errorf("status %d", code)
	}
}

// --print --progress always draws the board on stderr: stdout holds the
// poem byte for byte. The board was drawn among the poem's bytes.
func TestGetPrintProgressOnStderr(t *testing.T) {
	poem := embedded(t, "night-bus")
	addr := slowServers(t, 100, 5*time.Millisecond, poem)[0]
	code, stdout, stderr := gyre(t, nil, "get", "--print", "--progress", "always", addr)
	if code != 0 || stdout != string(poem) {
		t.Errorf("status %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, "\x1b[") || !strings.Contains(stderr, "Task 1  "+addr) || !strings.Contains(stderr, "done in") {
		t.Errorf("no board on stderr: %q", stderr)
	}
}

// A --timeline target that exists, is not a regular file and cannot be
// written is a usage error before the downloads, not a failure after
// them: a Unix socket, and /dev/tty in a process without a terminal. The
// server here never ends its poem, so a check left to the end is a hang.
func TestGetTimelineSpecialRefusedBeforeRun(t *testing.T) {
	stalling := slowServers(t, 10, time.Hour, embedded(t, "night-bus"))[0]
	sock := filepath.Join(t.TempDir(), "figure.sock")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skip(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		t.Skip(err)
	}
	for _, target := range []string{sock, "/dev/tty"} {
		if _, err := os.Stat(target); err != nil {
			t.Logf("%s: %v", target, err)
			continue
		}
		cmd := exec.Command(gyreBinary, "get", "--progress", "never", "--timeline", target, stalling)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		// A new session has no controlling terminal: /dev/tty is no one's.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("--timeline %s: not refused before the run", target)
			continue
		}
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "gyre: --timeline: "+target) {
			t.Errorf("--timeline %s: status %d, stderr %q; want 2 and the target", target, code, stderr.String())
		}
	}
}

// --timeline naming gyre's own stdout or stderr, redirected to a file,
// appends the figure to what is there: reopening the path with truncation
// erased the poems, and with >> what the file held before.
func TestGetTimelineIntoOwnOutput(t *testing.T) {
	addr := slowServers(t, 1000, 0, embedded(t, "night-bus"))[0]
	for _, target := range []string{"/dev/stdout", "/proc/self/fd/1"} {
		path := filepath.Join(t.TempDir(), "out.txt")
		if err := os.WriteFile(path, []byte("EARLIER\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(gyreBinary, "get", "--print", "--timeline", target, addr)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = f, &stderr
		err = cmd.Run()
		f.Close()
		got, _ := os.ReadFile(path)
		want := "EARLIER\n" + string(embedded(t, "night-bus"))
		if err != nil || !strings.HasPrefix(string(got), want) || !strings.HasSuffix(string(got), "</svg>\n") {
			t.Errorf("--timeline %s into stdout >> a file: %v, stderr %q; the file holds %d bytes: %.60q", target, err, stderr.String(), len(got), got)
		}
	}
	path := filepath.Join(t.TempDir(), "err.txt")
	if err := os.WriteFile(path, []byte("EARLIER\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gyreBinary, "get", "--progress", "never", "--timeline", "/dev/stderr", addr)
	cmd.Stderr = f
	err = cmd.Run()
	f.Close()
	got, _ := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(got), "EARLIER\n<?xml") || !strings.HasSuffix(string(got), "</svg>\n") {
		t.Errorf("--timeline /dev/stderr into stderr >> a file: %v; the file holds %.60q", err, got)
	}
}
