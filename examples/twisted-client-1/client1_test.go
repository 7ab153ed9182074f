// Tests for the tutorial's Twisted client 1.0 (part 4): get-poetry and its
// deliberately broken twin. Each program is built once and run for real
// against in-process slow servers on loopback ports the system picks, and
// its output is compared with the reference transcripts of the Python
// originals.
package twistedclient1_test

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"gyre/examples/internal/poetrytest"
	"gyre/examples/internal/servercli"
	"gyre/internal/progtest"
	"gyre/poetry"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// program is one of the two clients.
type program struct {
	poetrytest.Program
	blurb string // the first line of its description
}

var (
	getPoetry = program{poetrytest.Program{Dir: "twisted-client-1", Name: "get-poetry"},
		"This is the Get Poetry Now! client, Twisted version 1.0."}
	broken = program{poetrytest.Program{Dir: "twisted-client-1", Name: "get-poetry-broken"},
		"This is the *Broken* Get Poetry Now! client, Twisted version 1.0."}
	programs = []program{getPoetry, broken}
)

// help is the reference's help text in gyre's conventions, with the --print
// option the gyre clients add.
func (p program) help() string {
	return poetrytest.ClientHelp(p.Name, p.blurb, "twisted-client-1/"+p.Name)
}

// fromReference turns reference text into what the gyre program prints.
func (p program) fromReference(s string) string {
	return poetrytest.WithPrintOption(p.GyreText(s))
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		t.Run(prog.Name, func(t *testing.T) {
			t.Parallel()
			poetrytest.CheckClientUsage(t, prog.Exe(t), prog.Name, prog.help())
		})
	}
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

var (
	readRE     = regexp.MustCompile(`^Task (\d+): got (\d+) bytes of poetry from (\S+)$`)
	finishedRE = regexp.MustCompile(`^Task (\d+) finished$`)
	summaryRE  = regexp.MustCompile(`^Task (\d+): (\d+) characters of poetry$`)
	totalRE    = regexp.MustCompile(`^Got (\d+) poems in (\d+):(\d\d):(\d\d(?:\.\d{6})?)$`)
)

// report is a client's stdout, parsed.
type report struct {
	reads    []int          // the task of each "got" line, in order
	bytes    map[int]int    // bytes per task, over its "got" lines
	addrs    map[int]string // the address each task's lines show
	finished []int          // tasks in the order of their "finished" lines
	summary  map[int]int    // the "N characters of poetry" totals
	order    []int          // tasks in the order of their summary lines
	poems    int            // "Got N poems"
	total    time.Duration  // "... in H:MM:SS.ffffff"
}

// parseReport reads a client's stdout and checks its shape: "got" and
// "finished" lines, then the summary lines, then "Got N poems in ..." last.
func parseReport(t *testing.T, out string) report {
	t.Helper()
	r := report{bytes: map[int]int{}, addrs: map[int]string{}, summary: map[int]int{}, poems: -1}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	const (
		downloading = iota
		summing
		done
	)
	stage := downloading
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if m := readRE.FindStringSubmatch(line); m != nil && stage == downloading {
			task := atoi(m[1])
			r.reads = append(r.reads, task)
			r.bytes[task] += atoi(m[2])
			if a, ok := r.addrs[task]; ok && a != m[3] {
				t.Errorf("task %d reads from %s and from %s", task, a, m[3])
			}
			r.addrs[task] = m[3]
		} else if m := finishedRE.FindStringSubmatch(line); m != nil && stage == downloading {
			r.finished = append(r.finished, atoi(m[1]))
		} else if m := summaryRE.FindStringSubmatch(line); m != nil && stage != done {
			stage = summing
			r.summary[atoi(m[1])] = atoi(m[2])
			r.order = append(r.order, atoi(m[1]))
		} else if m := totalRE.FindStringSubmatch(line); m != nil && stage != done {
			stage = done
			r.poems = atoi(m[1])
			sec, _ := strconv.ParseFloat(m[4], 64)
			r.total = time.Duration(atoi(m[2]))*time.Hour + time.Duration(atoi(m[3]))*time.Minute +
				time.Duration(sec*float64(time.Second))
		} else {
			t.Errorf("unexpected line %q in:\n%s", line, out)
		}
	}
	if stage != done {
		t.Errorf("no \"Got N poems in ...\" line at the end of:\n%s", out)
	}
	return r
}

// readsOf counts the "got" lines of a task.
func (r report) readsOf(task int) int {
	n := 0
	for _, k := range r.reads {
		if k == task {
			n++
		}
	}
	return n
}

// TestReferenceOutputParses checks the parser on the originals' own output
// (three servers, run 6), so that the lines the tests accept are the lines
// the reference shows, and the exit status of a refused connection (run 7).
func TestReferenceOutputParses(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		ref := progtest.FindSection(t, prog.Transcript(t), "Run 6:")
		r := parseReport(t, ref.Stdout())
		want := map[int]int{1: 3003, 2: 615, 3: 653}
		for task, size := range want {
			if r.bytes[task] != size || r.summary[task] != size {
				t.Errorf("%s reference, task %d: read %d, summary %d, want %d", prog.Name, task, r.bytes[task], r.summary[task], size)
			}
		}
		if !slices.Equal(r.order, []int{1, 2, 3}) || r.poems != 3 {
			t.Errorf("%s reference: summary order %v, %d poems", prog.Name, r.order, r.poems)
		}
		if prog == broken && (len(r.reads) != 3 || len(r.finished) != 0) {
			t.Errorf("broken reference: %d reads and %d finished lines, want 3 and 0", len(r.reads), len(r.finished))
		}
		// Run 7, no server: the original's traceback exits 1, as the gyre
		// clients do after their one line (TestRefusedConnection).
		if ref := progtest.FindSection(t, prog.Transcript(t), "Run 7:"); ref.Exit != 1 ||
			!strings.HasSuffix(ref.Stderr(), "Connection refused\n") {
			t.Errorf("%s reference run 7: exit %d, stderr:\n%s", prog.Name, ref.Exit, ref.Stderr())
		}
	}
}

// scenario is the tutorial's three servers, scaled down: a long poem sent
// 30 bytes at a time and two short ones sent 10 at a time, all with the
// same pause after each send.
type scenario struct{ poetrytest.TutorialServers }

func startScenario(t *testing.T, delay time.Duration) scenario {
	return scenario{poetrytest.StartTutorialServers(t, delay)}
}

// checkPoems checks that every task got its whole poem, byte for byte, from
// the address given, and that the summary says so in argument order.
func (s scenario) checkPoems(t *testing.T, r report, addrs []string) {
	t.Helper()
	for i, size := range s.Sizes {
		task := i + 1
		if r.bytes[task] != size || r.summary[task] != s.Chars[i] || r.addrs[task] != addrs[i] {
			t.Errorf("task %d: read %d bytes from %s, summary %d; want %d from %s, summary %d",
				task, r.bytes[task], r.addrs[task], r.summary[task], size, addrs[i], s.Chars[i])
		}
	}
	if want := []int{1, 2, 3}; !slices.Equal(r.order, want) || r.poems != 3 {
		t.Errorf("summary for tasks %v and %d poems; want %v and 3", r.order, r.poems, want)
	}
}

// TestGetPoetryInterleaves: the three downloads progress together. Each
// task gets its poem in many reads, the reads of different tasks alternate,
// the short poems finish while the long one is still coming, and the
// addresses are echoed as given ("localhost" stays "localhost").
func TestGetPoetryInterleaves(t *testing.T) {
	t.Parallel()
	// library's 101 sends against the others' 61: at 5 ms a pause, the
	// short poems finish 200 ms before the long one, a margin the client's
	// three blocking connects (one through a lookup of localhost) do not
	// use up on a loaded machine, as they did at 2 ms (80 ms).
	s := startScenario(t, 5*time.Millisecond)
	addrs := []string{"127.0.0.1:" + s.Ports[0], "localhost:" + s.Ports[1], "127.0.0.1:" + s.Ports[2]}
	res := progtest.Run(t, 30*time.Second, getPoetry.Exe(t), s.Ports[0], addrs[1], addrs[2])
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	r := parseReport(t, res.Stdout)
	s.checkPoems(t, r, addrs)
	for task := 1; task <= 3; task++ {
		if r.readsOf(task) < 2 {
			t.Errorf("task %d got its poem in %d reads; a slow server's poem takes many", task, r.readsOf(task))
		}
	}
	if len(r.finished) != 3 || r.finished[2] != 1 {
		t.Errorf("finished in the order %v; want all three, task 1 (the longest) last", r.finished)
	}
	// Alternation: count the places where the next read is another task's.
	switches := 0
	for i := 1; i < len(r.reads); i++ {
		if r.reads[i] != r.reads[i-1] {
			switches++
		}
	}
	if switches < 10 {
		t.Errorf("reads switch tasks only %d times; the downloads did not interleave: %v", switches, r.reads)
	}
	if floor := time.Duration(s.Sends[0]) * s.Delay; r.total < floor {
		t.Errorf("total %v, less than the long poem's %d pauses of %v", r.total, s.Sends[0], s.Delay)
	}
}

// TestBrokenReadsOnePoemAtATime: the broken client reads each poem in a
// single DoRead that blocks until the poem is complete, so there is one
// "got" line per task with the whole poem, no "finished" lines, and nothing
// at all is printed before some poem has been sent in full. Run beside
// get-poetry on the same servers, it takes about as long: the servers
// keep sending into the kernel's buffers while the client is stuck on one
// poem, so the total is about the longest download, not the sum (see the
// reference's notes); the sum would be more than twice as long here.
func TestBrokenReadsOnePoemAtATime(t *testing.T) {
	t.Parallel()
	s := startScenario(t, 3*time.Millisecond)
	brokenExe, goodExe := broken.Exe(t), getPoetry.Exe(t)

	begin := time.Now()
	p := progtest.Start(t, brokenExe, s.Ports...)
	good := progtest.Start(t, goodExe, s.Ports...)
	p.WaitLine(readRE, 30*time.Second)
	firstLine := time.Since(begin)
	res := p.Wait(30 * time.Second)
	goodRes := good.Wait(30 * time.Second)
	if res.Code != 0 || res.Stderr != "" || goodRes.Code != 0 || goodRes.Stderr != "" {
		t.Fatalf("broken: exit %d, stderr %q; get-poetry: exit %d, stderr %q",
			res.Code, res.Stderr, goodRes.Code, goodRes.Stderr)
	}
	r := parseReport(t, res.Stdout)
	addrs := []string{"127.0.0.1:" + s.Ports[0], "127.0.0.1:" + s.Ports[1], "127.0.0.1:" + s.Ports[2]}
	s.checkPoems(t, r, addrs)
	if len(r.reads) != 3 || len(r.finished) != 0 {
		t.Errorf("%d \"got\" lines and %d \"finished\" lines, want 3 and 0:\n%s", len(r.reads), len(r.finished), res.Stdout)
	}
	// The first line needs a complete poem: at least the shortest poem's
	// pauses. (get-poetry prints its first line after the first send.)
	if shortest := time.Duration(slices.Min(s.Sends)) * s.Delay; firstLine < shortest {
		t.Errorf("first line after %v, before any poem could be complete (%v)", firstLine, shortest)
	}
	longest := time.Duration(slices.Max(s.Sends)) * s.Delay
	g := parseReport(t, goodRes.Stdout)
	t.Logf("broken %v, get-poetry %v, longest download at least %v, sum of downloads at least %v",
		r.total, g.total, longest, time.Duration(s.Sends[0]+s.Sends[1]+s.Sends[2])*s.Delay)
	if r.total < longest {
		t.Errorf("broken client took %v, less than the longest download (%v)", r.total, longest)
	}
	if r.total > g.total*8/5 {
		t.Errorf("broken client took %v, get-poetry %v: more than the longest download explains", r.total, g.total)
	}
}

// TestRefusedConnection: as the original ("it just crashes", part 5), a
// refused connection ends the program before the reactor runs: a stack
// trace through the constructor that connects, the error, exit status 1,
// and nothing on stdout, whichever task it is.
func TestRefusedConnection(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	for _, prog := range programs {
		t.Run(prog.Name, func(t *testing.T) {
			t.Parallel()
			good := poetrytest.StartSlowServer(t, poem, 100, time.Millisecond)
			refused := poetrytest.RefusedAddr(t)
			for _, args := range [][]string{{refused}, {good.Port, refused}} {
				res := progtest.Run(t, 30*time.Second, prog.Exe(t), args...)
				poetrytest.CheckCrash(t, res, regexp.MustCompile(`^\*os\.SyscallError: connect: connection refused$`),
					"main.NewPoetrySocket", "main.main")
				if res.Stdout != "" {
					t.Errorf("%q: stdout:\n%s", args, res.Stdout)
				}
			}
		})
	}
}

func TestConnectionReset(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("night-bus")
	for _, prog := range programs {
		t.Run(prog.Name, func(t *testing.T) {
			t.Parallel()
			resetting := poetrytest.StartResettingServer(t, "The first line, and then\n")
			good := poetrytest.StartSlowServer(t, poem, 100, time.Millisecond)
			res := progtest.Run(t, 30*time.Second, prog.Exe(t), resetting, good.Port)
			if want := "Task 1: failed to get poetry from " + resetting + ": connection reset by peer\n"; res.Code != 1 || res.Stderr != want {
				t.Errorf("exit %d, stderr %q; want 1 and %q", res.Code, res.Stderr, want)
			}
			r := parseReport(t, res.Stdout)
			if r.summary[2] != utf8.RuneCount(poem) || len(r.summary) != 1 || r.poems != 1 {
				t.Errorf("want task 2's poem only, and 1 poem:\n%s", res.Stdout)
			}
		})
	}
}

// TestInterruptPrintsSummary: Ctrl-C stops the reactor, as it stops
// Twisted's; the unfinished download is reported and the summary printed.
func TestInterruptPrintsSummary(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartHoldingServer(t, "Half a poem\n")
	p := progtest.Start(t, getPoetry.Exe(t), addr)
	// The first "got" line comes from DoRead, so the reactor is running
	// and handling signals.
	p.WaitLine(readRE, 10*time.Second)
	res := p.Signal(syscall.SIGINT)
	if want := "Task 1: failed to get poetry from " + addr + ": interrupted before the end of the poem\n"; res.Code != 1 || res.Stderr != want {
		t.Errorf("exit %d (signal %v), stderr %q; want 1 and %q", res.Code, res.Signal, res.Stderr, want)
	}
	r := parseReport(t, res.Stdout)
	if r.bytes[1] != len("Half a poem\n") || len(r.summary) != 0 || r.poems != 0 {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
}

func TestPrint(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("night-bus")
	srv := poetrytest.StartSlowServer(t, poem, 1000, 0)
	for _, prog := range programs {
		res := progtest.Run(t, 30*time.Second, prog.Exe(t), "--print", srv.Port)
		want := fmt.Sprintf("Task 1: %d characters of poetry\n%sGot 1 poems in ", utf8.RuneCount(poem), poem)
		if res.Code != 0 || !strings.Contains(res.Stdout, want) {
			t.Errorf("%s: exit %d\n%s", prog.Name, res.Code, res.Stdout)
		}
	}
}

var (
	exercise1 = program{poetrytest.Program{Dir: "twisted-client-1", Name: "get-poetry-exercise-1"}, ""}
	exercise2 = program{poetrytest.Program{Dir: "twisted-client-1", Name: "get-poetry-exercise-2"}, ""}
)

// TestExercise1SurvivesRefusal: part 4's first exercise. A refused
// connection is one line on stderr naming the address and the reason; the
// other task still gets its poem, and the exit status is 1. With no
// connection at all the reactor is not started and the program ends at
// once.
func TestExercise1SurvivesRefusal(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, 100, time.Millisecond)
	refused := poetrytest.RefusedAddr(t)
	res := progtest.Run(t, 30*time.Second, exercise1.Exe(t), refused, good.Port)
	if want := "Task 1: failed to get poetry from " + refused + ": connection refused\n"; res.Code != 1 || res.Stderr != want {
		t.Errorf("exit %d, stderr %q; want 1 and %q", res.Code, res.Stderr, want)
	}
	r := parseReport(t, res.Stdout)
	if r.bytes[2] != len(poem) || r.summary[2] != utf8.RuneCount(poem) || len(r.summary) != 1 || r.poems != 1 || r.bytes[1] != 0 {
		t.Errorf("want task 2's poem only, and 1 poem:\n%s", res.Stdout)
	}

	a, b := poetrytest.RefusedAddr(t), poetrytest.RefusedAddr(t)
	res = progtest.Run(t, 10*time.Second, exercise1.Exe(t), a, b)
	wantErr := "Task 1: failed to get poetry from " + a + ": connection refused\n" +
		"Task 2: failed to get poetry from " + b + ": connection refused\n"
	if res.Code != 1 || res.Stderr != wantErr ||
		!regexp.MustCompile(`^Got 0 poems in 0:00:00\.\d{6}\n$`).MatchString(res.Stdout) {
		t.Errorf("all refused: exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
}

// TestExercise2Timeout: part 4's second exercise. With --timeout, a server
// that never finishes its poem costs its task only, reported when the time
// is up; the task whose poem came in time had its timer cancelled (were it
// not, it would fire at the same moment and report task 1 too).
func TestExercise2Timeout(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	holding := poetrytest.StartHoldingServer(t, "Half a poem\n")
	res := progtest.Run(t, 10*time.Second, exercise2.Exe(t), "--timeout", "0.5", good.Port, holding)
	if want := "Task 2: failed to get poetry from " + holding + ": timed out after 500ms\n"; res.Code != 1 || res.Stderr != want {
		t.Errorf("exit %d, stderr %q; want 1 and %q", res.Code, res.Stderr, want)
	}
	r := parseReport(t, res.Stdout)
	if r.summary[1] != utf8.RuneCount(poem) || len(r.summary) != 1 || r.poems != 1 || r.bytes[2] != len("Half a poem\n") {
		t.Errorf("want task 1's poem only:\n%s", res.Stdout)
	}
	if res.Elapsed < 500*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("took %v for a timeout of 500ms", res.Elapsed)
	}

	// In time: exit 0, as client 1.0; a bad --timeout is a usage error.
	res = progtest.Run(t, 10*time.Second, exercise2.Exe(t), "--timeout", "5", good.Port)
	if res.Code != 0 || res.Stderr != "" {
		t.Errorf("in time: exit %d, stderr %q", res.Code, res.Stderr)
	}
	res = progtest.Run(t, 10*time.Second, exercise2.Exe(t), "--timeout", "-1", good.Port)
	if res.Code != 2 || !strings.HasSuffix(res.Stderr, "get-poetry-exercise-2: error: option --timeout: the timeout must be 0 (none) or more seconds, not -1\n") {
		t.Errorf("--timeout -1: exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// TestCharactersAreCharacters: the "got" lines count bytes and the summary
// characters, as their words say (the reference's note: alla_sera.txt,
// 577 bytes, gives "566 characters of poetry").
func TestCharactersAreCharacters(t *testing.T) {
	t.Parallel()
	poem := []byte(strings.Repeat("Città, caffè, più: ü\n", 20)) // 21 characters, 25 bytes a line
	srv := poetrytest.StartSlowServer(t, poem, 100, time.Millisecond)
	for _, prog := range programs {
		res := progtest.Run(t, 10*time.Second, prog.Exe(t), srv.Port)
		r := parseReport(t, res.Stdout)
		if res.Code != 0 || r.bytes[1] != 20*25 || r.summary[1] != 20*21 {
			t.Errorf("%s: exit %d: %d bytes, %d characters; want 500 and 420\n%s", prog.Name, res.Code, r.bytes[1], r.summary[1], res.Stdout)
		}
	}
}

// TestInterruptDuringConnect: the connects come before the reactor, and a
// connect can hang (here: a server whose listen queue is full, so the
// kernel drops the SYN and retries it for about two minutes). Twisted
// handles no signal until reactor.run(), so Ctrl-C ends the original there
// at once, with a KeyboardInterrupt traceback through the connect, and so
// it must end these programs: the stack of the connect, then
// "KeyboardInterrupt" (crash.OnInterrupt), killed by SIGINT, not held
// until the connect gives up.
func TestInterruptDuringConnect(t *testing.T) {
	t.Parallel()
	port := fullListenQueue(t)
	for _, name := range []string{"get-poetry", "get-poetry-broken", "get-poetry-exercise-1", "get-poetry-exercise-2"} {
		prog := poetrytest.Program{Dir: "twisted-client-1", Name: name}
		args := []string{port}
		if name == "get-poetry-exercise-2" {
			args = []string{"--timeout", "60", port}
		}
		p := progtest.Start(t, prog.Exe(t), args...)
		time.Sleep(time.Second) // long enough to be in connect()
		res := p.Signal(syscall.SIGINT)
		if res.Signal != syscall.SIGINT {
			t.Errorf("%s: Ctrl-C in a hanging connect: exit %d (signal %v) after %v, want death by SIGINT\nstdout:\n%s\nstderr:\n%s",
				name, res.Code, res.Signal, res.Elapsed.Round(time.Millisecond), res.Stdout, res.Stderr)
			continue
		}
		t.Run(name, func(t *testing.T) {
			poetrytest.CheckInterrupt(t, res, "main.(*PoetrySocket).connect", "main.NewPoetrySocket", "main.main")
		})
	}
}

// fullListenQueue returns the port of a server that never accepts, with a
// listen queue of one that is already taken: a connect to it hangs.
func fullListenQueue(t *testing.T) string {
	t.Helper()
	fd, port, err := servercli.Listen("127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for range 2 {
		// The first fills the queue; the second, which hangs, shows it is.
		if c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond); err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	return strconv.Itoa(port)
}
