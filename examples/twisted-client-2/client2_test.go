// Tests for the tutorial's Twisted clients 2.0 and 2.1 (part 5):
// get-poetry, get-poetry-simple and get-poetry-stack. Each program is
// built once and run for real against in-process servers on loopback
// ports the system picks; its output is compared with the reference
// transcripts of the Python originals.
package twistedclient2_test

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// program is one of the three clients.
type program struct {
	poetrytest.Program
	print bool // it has gyre's --print option
}

var (
	getPoetry = program{poetrytest.Program{Dir: "twisted-client-2", Name: "get-poetry"}, true}
	simple    = program{poetrytest.Program{Dir: "twisted-client-2", Name: "get-poetry-simple"}, false}
	stack     = program{poetrytest.Program{Dir: "twisted-client-2", Name: "get-poetry-stack"}, false}
	programs  = []program{getPoetry, simple, stack}
)

// fromReference turns reference text into what the gyre program prints:
// the team's naming conventions, and the options gyre adds.
func (p program) fromReference(s string) string {
	if p.print {
		return poetrytest.WithPrintOption(p.GyreText(s))
	}
	return p.GyreText(s)
}

// TestUsageMatchesReference replays the reference's runs 1 to 5 (no
// arguments, --help, "abc", "127.0.0.1:abc", --bogus) and compares
// everything, character for character.
func TestUsageMatchesReference(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		t.Run(prog.Name, func(t *testing.T) {
			t.Parallel()
			poetrytest.ReplayRuns(t, prog.Exe(t), prog.Transcript(t), 1, 5, prog.fromReference)
		})
	}
}

// usageError is what a usage error prints on stderr, built from the help.
func usageError(t *testing.T, prog program, msg string) string {
	return poetrytest.Usage(t, prog.Exe(t)) + prog.Name + ": error: " + msg + "\n"
}

// TestMoreUsageErrors: the cases the reference does not show.
func TestMoreUsageErrors(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		t.Run(prog.Name, func(t *testing.T) {
			t.Parallel()
			exe := prog.Exe(t)
			for _, tc := range []struct {
				args []string
				msg  string
			}{
				{[]string{"10001", "0"}, "Ports must be integers from 1 to 65535."},
				{[]string{"10001", "70000"}, "Ports must be integers from 1 to 65535."},
				{[]string{"localhost:", "10001"}, "Ports must be integers."},
			} {
				res := progtest.Run(t, 10*time.Second, exe, tc.args...)
				if want := usageError(t, prog, tc.msg); res.Code != 2 || res.Stdout != "" || res.Stderr != want {
					t.Errorf("%q: exit %d\nstdout:\n%s\nstderr:\n%s", tc.args, res.Code, res.Stdout, res.Stderr)
				}
			}
			if prog == getPoetry {
				res := progtest.Run(t, 10*time.Second, exe, "--print=yes", "10001")
				if want := usageError(t, prog, "--print option does not take a value"); res.Code != 2 || res.Stderr != want {
					t.Errorf("--print=yes: exit %d\nstderr:\n%s", res.Code, res.Stderr)
				}
			}
		})
	}
}

var (
	chunkRE  = regexp.MustCompile(`^Task (\d+): got (\d+) bytes of poetry from IPv4Address\(type='TCP', host='127\.0\.0\.1', port=(\d+)\)$`)
	failedRE = regexp.MustCompile(`^Failed to connect to: IPv4Address\(type='TCP', host='([^']*)', port=(\d+)\)$`)
	reportRE = regexp.MustCompile(`^Task (\d+): (\d+) characters of poetry$`)
	totalRE  = regexp.MustCompile(`^Got (\d+) poems in \d+:\d\d:\d\d(\.\d{6})?$`)
)

// report is client 2.0's stdout, parsed.
type report struct {
	chunks   []int          // the task of each "got" line, in order
	bytes    map[int]int    // bytes per task, over its "got" lines
	ports    map[int]string // the peer port each task's lines show
	failed   []string       // the ports of the "Failed to connect" lines
	finished []int          // the tasks of the report lines, in order
	sizes    map[int]int    // the sizes in the report lines
	poems    int            // "Got N poems"
}

// parseReport reads client 2.0's stdout and checks its shape: "got" and
// "Failed to connect" lines, then the report, then "Got N poems in ...".
func parseReport(t *testing.T, out string) report {
	t.Helper()
	r := report{bytes: map[int]int{}, ports: map[int]string{}, sizes: map[int]int{}, poems: -1}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	const (
		downloading = iota
		reporting
		done
	)
	stage := downloading
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if m := chunkRE.FindStringSubmatch(line); m != nil && stage == downloading {
			task := atoi(m[1])
			r.chunks = append(r.chunks, task)
			r.bytes[task] += atoi(m[2])
			if p, ok := r.ports[task]; ok && p != m[3] {
				t.Errorf("task %d reads from ports %s and %s", task, p, m[3])
			}
			r.ports[task] = m[3]
		} else if m := failedRE.FindStringSubmatch(line); m != nil && stage == downloading {
			r.failed = append(r.failed, m[2])
		} else if m := reportRE.FindStringSubmatch(line); m != nil && stage != done {
			stage = reporting
			r.finished = append(r.finished, atoi(m[1]))
			r.sizes[atoi(m[1])] = atoi(m[2])
		} else if m := totalRE.FindStringSubmatch(line); m != nil && stage != done {
			stage = done
			r.poems = atoi(m[1])
		} else {
			t.Errorf("unexpected line %q in:\n%s", line, out)
		}
	}
	if stage != done {
		t.Errorf("no \"Got N poems in ...\" line at the end of:\n%s", out)
	}
	return r
}

// taskOf returns the task whose lines show the port, or 0.
func (r report) taskOf(port string) int {
	for task, p := range r.ports {
		if p == port {
			return task
		}
	}
	return 0
}

// TestReferenceOutputParses checks the parser on the original's own
// output (three servers, run 6; no server, run 8), so that the lines the
// tests accept are the lines the reference shows.
func TestReferenceOutputParses(t *testing.T) {
	t.Parallel()
	sections := getPoetry.Transcript(t)
	r := parseReport(t, progtest.FindSection(t, sections, "Run 6:").Stdout())
	want := map[string]int{"10001": 3003, "10002": 615, "10003": 653}
	for port, size := range want {
		if task := r.taskOf(port); r.bytes[task] != size || r.sizes[task] != size {
			t.Errorf("port %s (task %d): read %d, report %d, want %d", port, task, r.bytes[task], r.sizes[task], size)
		}
	}
	if !slices.Equal(r.finished, []int{2, 3, 1}) || r.poems != 3 {
		t.Errorf("report order %v, %d poems; want [2 3 1] and 3", r.finished, r.poems)
	}
	r = parseReport(t, progtest.FindSection(t, sections, "Run 8:").Stdout())
	if !slices.Equal(r.failed, []string{"10009"}) || r.poems != 1 || len(r.finished) != 0 {
		t.Errorf("run 8: failed %v, report %v, %d poems", r.failed, r.finished, r.poems)
	}
}

// scenario is three servers with gyre's poems, paced so that the poems
// finish in a known order: the first argument's (the longest) last, as in
// the reference's runs.
type scenario struct{ poetrytest.Scenario }

func startScenario(t *testing.T) scenario { return scenario{poetrytest.StartScenario(t)} }

// check checks client 2.0's report of the scenario: every poem whole, from
// its server, in many pieces, reported in the order they finished.
func (s scenario) check(t *testing.T, r report) {
	t.Helper()
	var finished []int
	for i, port := range s.Ports {
		task := r.taskOf(port)
		if task == 0 || r.bytes[task] != len(s.Poems[i]) || r.sizes[task] != utf8.RuneCount(s.Poems[i]) {
			t.Errorf("port %s (task %d): read %d bytes, report %d; want %d and %d characters",
				port, task, r.bytes[task], r.sizes[task], len(s.Poems[i]), utf8.RuneCount(s.Poems[i]))
		}
	}
	for _, i := range s.Order {
		finished = append(finished, r.taskOf(s.Ports[i]))
	}
	if !slices.Equal(r.finished, finished) || r.poems != 3 {
		t.Errorf("report for tasks %v and %d poems; want %v (the order they finished) and 3", r.finished, r.poems, finished)
	}
	if tasks := slices.Sorted(maps.Keys(r.ports)); !slices.Equal(tasks, []int{1, 2, 3}) {
		t.Errorf("tasks %v, want 1, 2 and 3", tasks)
	}
}

// TestGetPoetry: three downloads at once. Each piece gets its line with
// Twisted's address repr, the two slow poems come in many pieces that
// interleave, and the report lists the poems in the order they finished.
func TestGetPoetry(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	res := progtest.Run(t, 30*time.Second, getPoetry.Exe(t), s.Ports...)
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	r := parseReport(t, res.Stdout)
	s.check(t, r)
	switches := 0
	for i := 1; i < len(r.chunks); i++ {
		if r.chunks[i] != r.chunks[i-1] {
			switches++
		}
	}
	if switches < 5 {
		t.Errorf("the pieces switch tasks only %d times; the downloads did not interleave: %v", switches, r.chunks)
	}
}

// TestHostPortForms: a bare port, 127.0.0.1:PORT and localhost:PORT all
// reach the server, and the peer is printed as 127.0.0.1 whatever the
// form, as Twisted prints the peer's address.
func TestHostPortForms(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	srv := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	res := progtest.Run(t, 30*time.Second, getPoetry.Exe(t), srv.Port, "127.0.0.1:"+srv.Port, "localhost:"+srv.Port)
	r := parseReport(t, res.Stdout)
	if res.Code != 0 || len(r.finished) != 3 || r.poems != 3 {
		t.Fatalf("exit %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	for task := 1; task <= 3; task++ {
		if r.ports[task] != srv.Port || r.sizes[task] != utf8.RuneCount(poem) {
			t.Errorf("task %d: port %s, %d bytes", task, r.ports[task], r.sizes[task])
		}
	}
}

// TestNoServer: a refused connection is a "Failed to connect to:" line on
// stdout with the destination's repr, and counts in "Got N poems", as in
// the reference (run 8), and the exit status is the original's, 0.
func TestNoServer(t *testing.T) {
	t.Parallel()
	refused := poetrytest.RefusedAddr(t)
	_, port, _ := strings.Cut(refused, ":")
	// Run 7's shape: the failure first, at once, then the good poem.
	poem, _ := poetry.Poem("night-bus")
	good := poetrytest.StartSlowServer(t, poem, 100, 5*time.Millisecond)
	res := progtest.Run(t, 30*time.Second, getPoetry.Exe(t), good.Port, port)
	r := parseReport(t, res.Stdout)
	if res.Code != 0 || !slices.Equal(r.failed, []string{port}) || !failedRE.MatchString(strings.SplitN(res.Stdout, "\n", 2)[0]) ||
		!slices.Equal(r.finished, []int{1}) || r.sizes[1] != utf8.RuneCount(poem) || r.poems != 2 {
		t.Errorf("one good port and one refused: exit %d\n%s", res.Code, res.Stdout)
	}
	// Last: without ../shared the test stops (skips) here.
	for prog, run := range map[program]string{getPoetry: "Run 8:", stack: "Run 7:"} {
		ref := progtest.FindSection(t, prog.Transcript(t), run)
		want := poetrytest.PortMap{"10009": port}.Text(ref.Stdout())
		res := progtest.Run(t, 10*time.Second, prog.Exe(t), port)
		if res.Code != 0 || res.Stderr != "" || maskTime(res.Stdout) != maskTime(want) {
			t.Errorf("%s: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", prog.Name, res.Code, res.Stdout, want, res.Stderr)
		}
	}
}

var elapsedRE = regexp.MustCompile(`\d+:\d\d:\d\d(\.\d{6})?`)

// maskTime hides the durations, which vary.
func maskTime(s string) string { return elapsedRE.ReplaceAllString(s, "H:MM:SS") }

// TestConnectionReset: a connection reset in the middle of a poem is a
// failure, in one line on stderr, not a short poem; the exit status is 0
// all the same, as after a refused connection.
func TestConnectionReset(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	_, port, _ := strings.Cut(addr, ":")
	res := progtest.Run(t, 10*time.Second, getPoetry.Exe(t), port)
	want := "Task 1: failed to get poetry from IPv4Address(type='TCP', host='127.0.0.1', port=" + port +
		"): Connection to the other side was lost in a non-clean fashion: Connection reset by peer.\n"
	r := parseReport(t, res.Stdout)
	if res.Code != 0 || res.Stderr != want || len(r.finished) != 0 || r.poems != 1 {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	res = progtest.Run(t, 10*time.Second, simple.Exe(t), port)
	want = "Failed to get poetry from IPv4Address(type='TCP', host='127.0.0.1', port=" + port +
		"): Connection to the other side was lost in a non-clean fashion: Connection reset by peer.\n"
	if res.Code != 0 || res.Stderr != want || res.Stdout != "" {
		t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", simple.Name, res.Code, res.Stdout, res.Stderr, want)
	}
}

// TestPrint: --print adds each poem after its report line.
func TestPrint(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("night-bus")
	srv := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	res := progtest.Run(t, 10*time.Second, getPoetry.Exe(t), "--print", srv.Port)
	want := fmt.Sprintf("Task 1: %d characters of poetry\n%sGot 1 poems in ", utf8.RuneCount(poem), poem)
	if res.Code != 0 || !strings.Contains(res.Stdout, want) {
		t.Errorf("exit %d\n%s", res.Code, res.Stdout)
	}
}

// TestSimple: client 2.1 prints the poems only, in the order they finished,
// each followed by an empty line, whatever the form of the addresses.
func TestSimple(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	res := progtest.Run(t, 30*time.Second, simple.Exe(t), s.Args()...)
	if res.Code != 0 || res.Stderr != "" || res.Stdout != s.PoemsInOrder() {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Stdout, s.PoemsInOrder(), res.Stderr)
	}
}

// TestSimpleMatchesReference replays the reference's runs 6 and 7 with the
// tutorial's own poems, served so that they finish in the order the
// reference shows, and compares the output exactly.
func TestSimpleMatchesReference(t *testing.T) {
	t.Parallel()
	ports := poetrytest.StartReferenceServers(t)
	sections := simple.Transcript(t)
	for _, run := range []string{"Run 6:", "Run 7:"} {
		ref := progtest.FindSection(t, sections, run)
		args := ports.Args(strings.Fields(ref.Command)[4:])
		res := progtest.Run(t, 30*time.Second, simple.Exe(t), args...)
		wantCode := ref.Exit // 0, even after a failed download
		if res.Code != wantCode || res.Stdout != ports.Text(ref.Stdout()) || res.Stderr != ref.Stderr() {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s",
				ref.Title, res.Code, wantCode, res.Stdout, ports.Text(ref.Stdout()), res.Stderr)
		}
	}
}

// TestGetPoetryReportMatchesReference replays run 6 of get-poetry with the
// tutorial's poems: the report that follows the pieces is the reference's.
// Tasks are numbered as the connections come up, normally in argument
// order; the comparison numbers them by argument, which is what the
// reference's numbers are.
func TestGetPoetryReportMatchesReference(t *testing.T) {
	t.Parallel()
	ports := poetrytest.StartReferenceServers(t)
	ref := progtest.FindSection(t, getPoetry.Transcript(t), "Run 6:")
	args := ports.Args(strings.Fields(ref.Command)[4:])
	res := progtest.Run(t, 30*time.Second, getPoetry.Exe(t), args...)
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	r := parseReport(t, res.Stdout)
	byArg := map[int]int{}
	for i, port := range args {
		byArg[r.taskOf(port)] = i + 1
	}
	var got []string
	for _, task := range r.finished {
		got = append(got, fmt.Sprintf("Task %d: %d characters of poetry", byArg[task], r.sizes[task]))
	}
	got = append(got, fmt.Sprintf("Got %d poems in H:MM:SS", r.poems))
	var want []string
	for _, line := range strings.Split(maskTime(ref.Stdout()), "\n") {
		if reportRE.MatchString(line) || strings.HasPrefix(line, "Got ") {
			want = append(want, line)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, port := range args {
		if task := r.taskOf(port); r.bytes[task] != r.sizes[task] {
			t.Errorf("argument %d: %d bytes in pieces, %d in the report", i+1, r.bytes[task], r.sizes[task])
		}
	}
}

// stackFrames are the functions get-poetry-stack's stack must show, in
// this order from the innermost.
var stackFrames = []string{
	"main.(*PoetryProtocol).DataReceived",
	// readBatch where the reactor batches its receives (GYRE_BATCHED_IO=1)
	"gyre/reactor.(*Conn).DoRead|gyre/reactor.(*Reactor).readBatch",
	"gyre/reactor.(*Reactor).dispatch",
	"gyre/reactor.(*Reactor).Run",
	"main.main",
}

// TestStack: on the first piece of poem, get-poetry-stack prints a stack
// on which DataReceived is called by the connection's DoRead (by the
// batched receive where the reactor batches), called by
// the reactor's loop, called by main, and exits 0 with nothing on stdout.
func TestStack(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	res := progtest.Run(t, 30*time.Second, stack.Exe(t), s.Ports...)
	if res.Code != 0 || res.Stdout != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	poetrytest.CheckStack(t, res.Stderr, stackFrames...)
}

// TestCharactersAreCharacters: the "got" lines count bytes and the report
// line characters, as their words say. With the tutorial's alla_sera.txt
// (577 bytes of UTF-8, 566 characters) client 2.0 and 2.0-stack's report
// say 566, as the reference's does; the same holds for any poem with
// letters beyond ASCII, tested without ../shared too.
func TestCharactersAreCharacters(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, poem []byte, chars int) {
		srv := poetrytest.StartSlowServer(t, poem, 100, time.Millisecond)
		res := progtest.Run(t, 10*time.Second, getPoetry.Exe(t), srv.Port)
		r := parseReport(t, res.Stdout)
		if res.Code != 0 || r.bytes[1] != len(poem) || r.sizes[1] != chars {
			t.Errorf("exit %d: %d bytes and %d characters, want %d and %d\n%s", res.Code, r.bytes[1], r.sizes[1], len(poem), chars, res.Stdout)
		}
	}
	t.Run("accents", func(t *testing.T) {
		t.Parallel()
		check(t, []byte(strings.Repeat("Città, caffè, più: ü\n", 20)), 20*21)
	})
	t.Run("alla_sera", func(t *testing.T) {
		t.Parallel()
		poem, err := os.ReadFile(progtest.SharedFile(t, "poetry", "alla_sera.txt"))
		if err != nil {
			t.Fatal(err)
		}
		check(t, poem, 566)
	})
}

var (
	exercise1 = program{poetrytest.Program{Dir: "twisted-client-2", Name: "get-poetry-exercise-1"}, true}
	exercise2 = program{poetrytest.Program{Dir: "twisted-client-2", Name: "get-poetry-exercise-2"}, false}
)

// TestExercise1Timeout: part 5's first exercise. A server that never ends
// its poem is cut off by LoseConnection when --timeout runs out, and the
// download is a failure, not a short poem; a poem in on time had its timer
// cancelled (else it would be reported as timed out too, at the same
// moment); the exit status is 0, as client 2.0's.
func TestExercise1Timeout(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	holding := poetrytest.StartHoldingServer(t, "Half a poem\n")
	_, holdingPort, _ := strings.Cut(holding, ":")
	res := progtest.Run(t, 10*time.Second, exercise1.Exe(t), "--timeout", "0.5", good.Port, holdingPort)
	want := "Task 2: failed to get poetry from IPv4Address(type='TCP', host='127.0.0.1', port=" + holdingPort +
		"): timed out after 500ms\n"
	r := parseReport(t, res.Stdout)
	if res.Code != 0 || res.Stderr != want || !slices.Equal(r.finished, []int{1}) || r.sizes[1] != utf8.RuneCount(poem) || r.poems != 2 {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	if res.Elapsed < 500*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("took %v for a timeout of 500ms", res.Elapsed)
	}
	res = progtest.Run(t, 10*time.Second, exercise1.Exe(t), "--timeout", "abc", good.Port)
	if res.Code != 2 || !strings.HasSuffix(res.Stderr, "get-poetry-exercise-1: error: option --timeout: invalid floating-point value: 'abc'\n") {
		t.Errorf("--timeout abc: exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// TestExercise2StackInConnectionLost: part 5's second exercise. The
// stack printed when the first connection ends shows the reactor's loop
// calling ConnectionLost through the connection; the program then exits 0.
func TestExercise2StackInConnectionLost(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	srv := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	res := progtest.Run(t, 10*time.Second, exercise2.Exe(t), srv.Port)
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "Task 1: got ") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	poetrytest.CheckStack(t, res.Stderr, "main.(*PoetryProtocol).ConnectionLost",
		"gyre/reactor.(*Conn).ConnectionLost", "gyre/reactor.(*Reactor).Run", "main.main")
}
