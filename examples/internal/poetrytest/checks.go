package poetrytest

import (
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/reactor"
)

// OnBackend is the progtest.Options that run a program on the reactor
// backend named: the programs never choose one, so reactor.New takes the
// one the environment names (reactor.BackendEnv, GYRE_REACTOR).
func OnBackend(backend string) progtest.Options {
	return progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}}
}

// CheckUnknownBackend runs the reactor program exe, whose name is prog,
// with args and a GYRE_REACTOR that names no backend: reactor.New must
// fail, and the program say so in one line on stderr ("PROG: ...", naming
// the backend asked for) and exit 1, with nothing on stdout. (That New
// fails also shows that the variable is read, so that a test running the
// program on every backend does not run the default one each time.)
func CheckUnknownBackend(t *testing.T, exe, prog string, args ...string) {
	t.Helper()
	res := progtest.RunWith(t, OnBackend("no-such-backend"), 10*time.Second, exe, args...)
	if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, prog+": ") ||
		!strings.Contains(res.Stderr, `"no-such-backend"`) || strings.Count(res.Stderr, "\n") != 1 ||
		!strings.HasSuffix(res.Stderr, "\n") {
		t.Errorf("%s with %s=no-such-backend: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 1 and one line on stderr",
			prog, reactor.BackendEnv, res.Code, res.Stdout, res.Stderr)
	}
}

// RunArgs returns the arguments of a run of a client's reference
// transcript, whose command is "timeout 10 python3 DIR/SCRIPT.py ARGS...".
func RunArgs(ref progtest.Section) []string {
	return strings.Fields(ref.Command)[4:]
}

// ReplayRuns replays runs first to last of a reference transcript (the
// runs with no servers: help and command-line errors) with exe, and
// compares the exit status, stdout and stderr with the run's, turned into
// what the gyre program prints by want.
func ReplayRuns(t *testing.T, exe string, sections []progtest.Section, first, last int, want func(string) string) {
	t.Helper()
	for i := first; i <= last; i++ {
		ref := progtest.FindSection(t, sections, fmt.Sprintf("Run %d:", i))
		res := progtest.Run(t, 10*time.Second, exe, RunArgs(ref)...)
		if res.Code != ref.Exit || res.Stdout != want(ref.Stdout()) || res.Stderr != want(ref.Stderr()) {
			t.Errorf("%s: exit %d (reference %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s",
				ref.Title, res.Code, ref.Exit, res.Stdout, want(ref.Stdout()), res.Stderr, want(ref.Stderr()))
		}
	}
}

// Usage is what an optparse-style program prints before "PROG: error:
// MESSAGE" on a usage error: its help (exe --help) up to the options.
func Usage(t *testing.T, exe string) string {
	t.Helper()
	help := progtest.Run(t, 10*time.Second, exe, "--help").Stdout
	i := strings.Index(help, "Options:")
	if i < 0 {
		t.Fatalf("%s --help shows no options:\n%s", exe, help)
	}
	return help[:i]
}

// helpLine is the help line optparse shows for -h when it is the only
// option with a short form and no option takes a value.
const helpLine = "  -h, --help  show this help message and exit\n"

// printLine is the help line of the --print option gyre's clients add.
const printLine = "  --print     Print the poems, not only their sizes.\n"

// WithPrintOption adds the --print option's help line after -h's, as the
// gyre clients that have it show it, to text from a reference transcript.
func WithPrintOption(s string) string {
	return strings.ReplaceAll(s, helpLine, helpLine+printLine)
}

// ClientHelp is the help of one of the tutorial's first poetry clients
// (blocking, asynchronous, Twisted 1.0) in gyre's conventions: the
// original's text, with the client's name and blurb ("This is the Get
// Poetry Now! client, asynchronous edition."), its directory under
// examples/, and the --print option gyre adds.
func ClientHelp(prog, blurb, goDir string) string {
	return `Usage: ` + prog + ` [options] [hostname]:port ...

` + blurb + `
Run it like this:

  go run . port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  go run ./examples/` + goDir + ` 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.


Options:
` + helpLine + printLine
}

// CheckClientUsage runs one of the first poetry clients (blocking,
// asynchronous, Twisted 1.0), named prog, whose help is help (see
// ClientHelp), without addresses, asking for help, and with bad
// arguments: no address prints the help and an empty line (as the
// originals do), -h or --help the help, wherever it is; a bad address,
// an unknown option or a value given to --print is the usage and one
// line, "PROG: error: MESSAGE", on stderr, and exit status 2.
func CheckClientUsage(t *testing.T, exe, prog, help string) {
	t.Helper()
	usage := help[:strings.Index(help, "Options:")]
	usageError := func(msg string) string { return usage + prog + ": error: " + msg + "\n" }
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{nil, 0, help + "\n", ""},
		{[]string{"--help"}, 0, help, ""},
		{[]string{"-h", "10001"}, 0, help, ""},
		{[]string{"abc"}, 2, "", usageError("Ports must be integers.")},
		{[]string{"127.0.0.1:abc"}, 2, "", usageError("Ports must be integers.")},
		{[]string{"10001", "0"}, 2, "", usageError("Ports must be integers from 1 to 65535.")},
		{[]string{"10001", "70000"}, 2, "", usageError("Ports must be integers from 1 to 65535.")},
		{[]string{"::1:10001"}, 2, "", usageError("Ports must be integers.")},
		{[]string{"--bogus", "10001"}, 2, "", usageError("no such option: --bogus")},
		{[]string{"--print=yes", "10001"}, 2, "", usageError("--print option does not take a value")},
	} {
		res := progtest.Run(t, 10*time.Second, exe, tc.args...)
		if res.Code != tc.code || res.Stdout != tc.stdout || res.Stderr != tc.stderr {
			t.Errorf("%s %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", prog, tc.args, res.Code, tc.code, res.Stdout, res.Stderr)
		}
	}
}

// frameRE matches the function lines of a Go stack trace, "pkg.f(args)",
// each of which is followed by a "\tfile:line" line.
var frameRE = regexp.MustCompile(`(?m)^(\S+)\(.*\)$`)

// CheckStack checks a Go stack trace (runtime/debug.Stack's, as the
// tutorial's -stack programs print it): it must start with want[0] (under
// runtime/debug's own frames), show the functions of want in that order
// from the innermost (others may come between), and end with main.main.
// An entry of want may name alternatives, separated by "|": one frame that
// is any of them matches it (the reactor reaches a callback by one of two
// paths, direct or batched reads: see reactor.WithBatchedIO).
func CheckStack(t *testing.T, trace string, want ...string) {
	t.Helper()
	got := stackFrames(trace)
	if len(got) == 0 || !isFrame(got[0], want[0]) || got[len(got)-1] != "main.main" {
		t.Fatalf("the stack does not run from %s to main.main:\n%s", want[0], trace)
	}
	checkFrameOrder(t, trace, got, want)
}

// stackFrames returns the functions of a Go stack trace, innermost first,
// leaving out runtime/debug's own (debug.Stack's).
func stackFrames(trace string) []string {
	var got []string
	for _, m := range frameRE.FindAllStringSubmatch(trace, -1) {
		if !strings.HasPrefix(m[1], "runtime/debug.") {
			got = append(got, m[1])
		}
	}
	return got
}

// checkFrameOrder checks that the functions got of the stack trace show
// those of want in that order (others may come between).
func checkFrameOrder(t *testing.T, trace string, got, want []string) {
	t.Helper()
	i := 0
	for _, f := range got {
		if i < len(want) && isFrame(f, want[i]) {
			i++
		}
	}
	if i != len(want) {
		t.Errorf("the stack does not show %v in that order (missing %s):\n%s", want, want[i], trace)
	}
}

// isFrame reports whether the function f is one that want names.
func isFrame(f, want string) bool {
	for w := range strings.SplitSeq(want, "|") {
		if f == w {
			return true
		}
	}
	return false
}

// CheckCrash checks a run of a program that crashes as its Python original
// does on an exception nothing catches (examples/internal/crash): exit
// status 1, stderr a Go stack trace through the functions frames (in that
// order from the innermost, ending with main.main) and, last, the line
// "TYPE: MESSAGE" that lastLine matches; never a panic.
func CheckCrash(t *testing.T, res progtest.Result, lastLine *regexp.Regexp, frames ...string) {
	t.Helper()
	trace, last := "", strings.TrimSuffix(res.Stderr, "\n")
	if i := strings.LastIndex(last, "\n"); i >= 0 {
		trace, last = last[:i+1], last[i+1:]
	}
	if res.Code != 1 || strings.Contains(res.Stderr, "panic:") || !strings.HasPrefix(trace, "goroutine ") || !lastLine.MatchString(last) {
		t.Fatalf("exit %d, want 1 and a stack trace ending with a line matching %q\nstderr:\n%s", res.Code, lastLine, res.Stderr)
	}
	CheckStack(t, trace, append([]string{"gyre/examples/internal/crash.Report", "gyre/examples/internal/crash.Exit"}, frames...)...)
}

// CheckInterrupt checks a run of a program that handles no signal, as its
// Python original, ended by Ctrl-C while it waited (crash.OnInterrupt):
// killed by SIGINT, as Python kills itself after a KeyboardInterrupt, and
// on stderr the main goroutine's stack, through the functions frames (in
// that order from the innermost: where it waited, then who called), ending
// with main.main, then the line "KeyboardInterrupt".
func CheckInterrupt(t *testing.T, res progtest.Result, frames ...string) {
	t.Helper()
	trace, ok := strings.CutSuffix(res.Stderr, "\nKeyboardInterrupt\n")
	if res.Signal != syscall.SIGINT || !ok || !strings.HasPrefix(trace, "goroutine 1 [") || strings.Contains(res.Stderr, "panic:") {
		t.Fatalf("exit %d (signal %v), want death by SIGINT after the main goroutine's stack and KeyboardInterrupt\nstderr:\n%s",
			res.Code, res.Signal, res.Stderr)
	}
	got := stackFrames(trace)
	if len(got) == 0 || got[len(got)-1] != "main.main" {
		t.Fatalf("the stack does not end with main.main:\n%s", trace)
	}
	checkFrameOrder(t, trace, got, frames)
}
