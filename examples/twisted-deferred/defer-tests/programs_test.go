package defertests

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// program is one tutorial program under test.
type program struct {
	pkg string // the Go package, from the module root
	ref string // its transcript in the reference directory
	// subst turns the reference's Python spellings (class names, the
	// exception line of a traceback) into the Go program's, in pairs:
	// Python, Go. Frame lines are compared by neither: see messageLines.
	subst []string
}

func (p program) name() string { return p.pkg[strings.LastIndexByte(p.pkg, '/')+1:] }

var programs = []program{
	{pkg: "./examples/twisted-deferred/defer-1", ref: "twisted-deferred__defer-1.txt"},
	{pkg: "./examples/twisted-deferred/defer-2", ref: "twisted-deferred__defer-2.txt"},
	{pkg: "./examples/twisted-deferred/defer-3", ref: "twisted-deferred__defer-3.txt", subst: []string{
		"<class 'twisted.python.failure.Failure'>", "*deferred.Failure",
		"<class 'Exception'>", "*errors.errorString",
	}},
	{pkg: "./examples/twisted-deferred/defer-4", ref: "twisted-deferred__defer-4.txt", subst: []string{
		"twisted.internet.defer.AlreadyCalledError",
		"*deferred.AlreadyCalledError: deferred: already called: Callback after Callback",
	}},
	{pkg: "./examples/twisted-deferred/defer-5", ref: "twisted-deferred__defer-5.txt", subst: []string{
		"twisted.internet.defer.AlreadyCalledError",
		"*deferred.AlreadyCalledError: deferred: already called: Errback after Callback",
	}},
	{pkg: "./examples/twisted-deferred/defer-6", ref: "twisted-deferred__defer-6.txt", subst: []string{
		"<class 'Exception'>", "*errors.errorString",
		"twisted.internet.defer.AlreadyCalledError",
		"*deferred.AlreadyCalledError: deferred: already called: Errback after Errback",
	}},
	{pkg: "./examples/twisted-deferred/defer-7", ref: "twisted-deferred__defer-7.txt", subst: []string{
		"<class 'Exception'>", "*errors.errorString",
		"twisted.internet.defer.AlreadyCalledError",
		"*deferred.AlreadyCalledError: deferred: already called: Callback after Errback",
	}},
	{pkg: "./examples/twisted-deferred/defer-8", ref: "twisted-deferred__defer-8.txt"},
	{pkg: "./examples/twisted-deferred/defer-9", ref: "twisted-deferred__defer-9.txt"},
	{pkg: "./examples/twisted-deferred/defer-10", ref: "twisted-deferred__defer-10.txt"},
	{pkg: "./examples/twisted-deferred/defer-11", ref: "twisted-deferred__defer-11.txt"},
	{pkg: "./examples/twisted-deferred/defer-unhandled", ref: "twisted-deferred__defer-unhandled.txt", subst: []string{
		"builtins.Exception: oops", "*errors.errorString: oops",
	}},
	{pkg: "./examples/twisted-failure/failure-examples", ref: "twisted-failure__failure-examples.txt", subst: []string{
		"<class '__main__.RhymeSchemeViolation'>", "main.RhymeSchemeViolation",
	}},
}

// runTimeout bounds every run of a program that should take a fraction of
// a second.
const runTimeout = 30 * time.Second

// expected returns the first run of the program's transcript with its
// Python spellings turned into Go's.
func expected(t *testing.T, p program) progtest.Section {
	t.Helper()
	want := progtest.FindSection(t, progtest.LoadTranscript(t, p.ref), "Run 1:")
	r := strings.NewReplacer(p.subst...)
	for k, v := range want.Blocks {
		want.Blocks[k] = r.Replace(v)
	}
	return want
}

var (
	// Python frames: `  File "x.py", line 6, in <module>` with its source
	// line, and the brief form's `x.py:29:<module>`.
	pyFrame      = regexp.MustCompile(`^  File ".*", line \d+, in .*$`)
	pySource     = regexp.MustCompile(`^    <source line>$`)
	pyBriefFrame = regexp.MustCompile(`^\S+\.py:\d+:\S+$`)
	// Go frames: the function, then `      file.go:line`; and the brief
	// form's `file.go:12:main.main`.
	goFrameFunc  = regexp.MustCompile(`^  \S+$`)
	goFrameFile  = regexp.MustCompile(`^      \S+\.go:\d+$`)
	goBriefFrame = regexp.MustCompile(`^\S+\.go:\d+:\S+$`)
)

// messageLines drops traceback frame lines, Python's and Go's, which differ
// in form between the languages; every other line must match.
func messageLines(text string) []string {
	lines := strings.SplitAfter(text, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSuffix(lines[i], "\n")
		switch {
		case pyFrame.MatchString(l), pySource.MatchString(l), pyBriefFrame.MatchString(l), goBriefFrame.MatchString(l):
			continue
		case goFrameFunc.MatchString(l) && i+1 < len(lines) && goFrameFile.MatchString(strings.TrimSuffix(lines[i+1], "\n")):
			i++
			continue
		}
		out = append(out, lines[i])
	}
	return out
}

func compare(t *testing.T, stream, got, want string) {
	t.Helper()
	g, w := strings.Join(messageLines(got), ""), strings.Join(messageLines(want), "")
	if g != w {
		t.Errorf("%s differs from the reference (frame lines left out)\n--- got:\n%s--- want:\n%s--- full output:\n%s",
			stream, g, w, got)
	}
}

func TestProgramsMatchTheReference(t *testing.T) {
	for _, p := range programs {
		t.Run(p.name(), func(t *testing.T) {
			t.Parallel()
			want := expected(t, p)
			got := progtest.Run(t, runTimeout, progtest.Build(t, p.pkg))
			if got.Code != want.Exit {
				t.Errorf("exit status %d, want %d", got.Code, want.Exit)
			}
			compare(t, "stdout", got.Stdout, want.Stdout())
			compare(t, "stderr", got.Stderr, want.Stderr())
		})
	}
}

// The error reports must still be tracebacks: where the Python programs
// print frames, the Go ones do too, from main.main down.
func TestTracebacksHaveFrames(t *testing.T) {
	for _, p := range programs {
		switch p.name() {
		case "defer-4", "defer-5", "defer-6", "defer-7", "defer-unhandled":
		default:
			continue
		}
		t.Run(p.name(), func(t *testing.T) {
			t.Parallel()
			got := progtest.Run(t, runTimeout, progtest.Build(t, p.pkg))
			if !strings.Contains(got.Stderr, "Traceback (most recent call last):\n  main.main\n      ") {
				t.Errorf("no frames from main.main in the traceback:\n%s", got.Stderr)
			}
		})
	}
}

// defer-unhandled reports the failure after "Finished", as the tutorial's
// does (its transcript's timeline shows the order across the two streams).
func TestUnhandledReportComesAfterFinished(t *testing.T) {
	proc := progtest.Start(t, progtest.Build(t, "./examples/twisted-deferred/defer-unhandled"))
	proc.WaitLine(regexp.MustCompile(`^Finished$`), runTimeout)
	if strings.Contains(proc.Stderr(), "Unhandled") {
		t.Errorf("the report came before Finished:\n%s", proc.Stderr())
	}
	res := proc.Wait(runTimeout)
	if !strings.HasPrefix(res.Stderr, "Unhandled error in Deferred:\n\n") {
		t.Errorf("no report after Finished:\n%s", res.Stderr)
	}
}

// defer-block: the output matches, and the callback really blocks: the poem
// comes a fragment at a time, and the closing lines only after all of its
// 11.5 seconds of sleeping. A Ctrl-C during the poem changes none of it, as
// under the original's reactor, which takes the signal and stops only once
// the callback returns (gyre's program died at once, silently).
func TestDeferBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 11.5 s")
	}
	t.Parallel()
	p := program{pkg: "./examples/twisted-deferred/defer-block", ref: "twisted-deferred__defer-block.txt"}
	proc := progtest.Start(t, progtest.Build(t, p.pkg))
	proc.WaitLine(regexp.MustCompile(`^The start of the callback chain\.$`), runTimeout)
	start := time.Now()
	proc.WaitLine(regexp.MustCompile(`^I block$`), runTimeout)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf(`"I block" came %v after the start of the chain, want about 1 s`, d)
	}
	syscall.Kill(proc.Pid(), syscall.SIGINT) // Ctrl-C, which must not cut the poem short
	proc.WaitLine(regexp.MustCompile(`^The end of the callback chain\.$`), runTimeout)
	if d := time.Since(start); d < 11400*time.Millisecond {
		t.Errorf("the chain took %v, want 11.5 s", d)
	}
	got := proc.Wait(runTimeout)
	if got.Code != 0 {
		t.Errorf("exit status %d, want 0", got.Code)
	}
	// The timing is checked above whether or not ../shared is there; the
	// reference, when it is, holds the output too.
	want := expected(t, p)
	if got.Code != want.Exit {
		t.Errorf("exit status %d, want %d", got.Code, want.Exit)
	}
	compare(t, "stdout", got.Stdout, want.Stdout())
	compare(t, "stderr", got.Stderr, want.Stderr())
}

// TestPart7Exercises: the first exercise of part 7 prints what defer-9's
// poemDone receives, nil, then the poem once gotPoem returns it; the
// second fires defer-8's and defer-9's Deferreds with an error, which the
// errback handles: the apology on stderr, nothing on stdout, the reactor
// stopped, exit status 0.
func TestPart7Exercises(t *testing.T) {
	exe := progtest.Build(t, "./examples/twisted-deferred/defer-9-exercise-1")
	res := progtest.Run(t, runTimeout, exe)
	want := "Another short poem.\npoemDone received: <nil>\nAnother short poem.\npoemDone received: Another short poem.\n"
	if res.Code != 0 || res.Stdout != want || res.Stderr != "" {
		t.Errorf("defer-9-exercise-1: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Stdout, want, res.Stderr)
	}
	for _, pkg := range []string{"./examples/twisted-deferred/defer-8-exercise-2", "./examples/twisted-deferred/defer-9-exercise-2"} {
		res := progtest.Run(t, runTimeout, progtest.Build(t, pkg))
		const apology = "poem download failed\nI am terribly sorry\ntry again later?\n"
		if res.Code != 0 || res.Stdout != "" || res.Stderr != apology {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", pkg, res.Code, res.Stdout, res.Stderr)
		}
	}
}
