// Tests for the tutorial's Twisted client 4.0 (part 8): get-poetry, whose
// getPoetry returns a Deferred, get-poetry-stack, and the answers to the
// part's exercises, get-poetry-exercise-1 (a timeout) and
// get-poetry-exercise-2 (which server failed). Each program is
// built once and run for real against in-process servers on loopback
// ports the system picks; its output is compared with the reference
// transcripts of the Python originals.
package twistedclient4_test

import (
	"strings"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
	"gyre/reactor"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// program is one of the two clients.
type program struct {
	poetrytest.Program
	// options are the help lines of the options gyre adds.
	options string
}

var (
	getPoetry = program{poetrytest.Program{Dir: "twisted-client-4", Name: "get-poetry"}, ""}
	stack     = program{poetrytest.Program{Dir: "twisted-client-4", Name: "get-poetry-stack"}, ""}
	programs  = []program{getPoetry, stack}
	// exercise1 is client 4.0 with --timeout: its help is 4.0's with
	// its name, its blurb and the option.
	exercise1 = program{poetrytest.Program{Dir: "twisted-client-4", Name: "get-poetry-exercise-1"}, "" +
		"  -h, --help         show this help message and exit\n" +
		"  --timeout=TIMEOUT  Give up on a poem that is not complete after this many\n" +
		"                     seconds. Default is to wait as long as it takes.\n"}
)

// fromReference turns reference text into what the gyre program prints:
// the team's naming conventions, the options gyre adds, and Go's name for
// the error's type where Python names the exception's class.
func (p program) fromReference(s string) string {
	s = p.GyreText(s)
	if p.options != "" {
		s = strings.ReplaceAll(s, "  -h, --help  show this help message and exit\n", p.options)
	}
	return poetrytest.GoTypes(s)
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

// TestNoTimeoutOption: client 4.0 is the original, which has no
// --timeout (the exercise adds it, in get-poetry-exercise-1).
func TestNoTimeoutOption(t *testing.T) {
	t.Parallel()
	exe := getPoetry.Exe(t)
	res := progtest.Run(t, 10*time.Second, exe, "--timeout", "1", "10001")
	if want := poetrytest.Usage(t, exe) + "get-poetry: error: no such option: --timeout\n"; res.Code != 2 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstderr:\n%s\nwant:\n%s", res.Code, res.Stderr, want)
	}
}

// TestExercise1Usage: the exercise's help is client 4.0's, with its own
// name, a blurb that says what it adds, and --timeout.
func TestExercise1Usage(t *testing.T) {
	t.Parallel()
	ref := progtest.FindSection(t, getPoetry.Transcript(t), "Run 2:")
	want := poetrytest.GyreText(ref.Stdout(), "twisted-client-4", "get-poetry", "twisted-client-4/get-poetry-exercise-1")
	want = strings.NewReplacer(
		"Usage: get-poetry ", "Usage: get-poetry-exercise-1 ",
		"Twisted version 4.0\n", "Twisted version 4.0,\nwith a timeout.\n",
	).Replace(exercise1.fromReference(want))
	res := progtest.Run(t, 10*time.Second, exercise1.Exe(t), "--help")
	if res.Code != 0 || res.Stdout != want {
		t.Errorf("exit %d\n%s\nwant:\n%s", res.Code, res.Stdout, want)
	}
}

// TestBadTimeout: a --timeout that is not a number of seconds is a usage
// error.
func TestBadTimeout(t *testing.T) {
	t.Parallel()
	exe := exercise1.Exe(t)
	usage := poetrytest.Usage(t, exe)
	for _, tc := range []struct {
		value, msg string
	}{
		{"abc", "option --timeout: invalid floating-point value: 'abc'"},
		{"-1", "option --timeout: the timeout must be 0 (none) or more seconds, not -1"},
		{"nan", "option --timeout: the timeout must be 0 (none) or more seconds, not NaN"},
		{"inf", "option --timeout: +Inf seconds is too long, the most is 9223372036 (about 292 years)"},
		// 2^63 nanoseconds: one past the longest time.Duration, which a
		// bound checked on the seconds let through as a negative limit.
		{"9223372036.854776", "option --timeout: 9.223372036854776e+09 seconds is too long, the most is 9223372036 (about 292 years)"},
	} {
		res := progtest.Run(t, 10*time.Second, exe, "--timeout", tc.value, "10001")
		if want := usage + "get-poetry-exercise-1: error: " + tc.msg + "\n"; res.Code != 2 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("--timeout %s: exit %d\nstderr:\n%s\nwant:\n%s", tc.value, res.Code, res.Stderr, want)
		}
	}
}

// TestPoems: the poems, in the order they finished, each followed by an
// empty line, once they are all in, whatever the form of the addresses;
// and the same from the exercise, with and without a --timeout that the
// downloads beat.
func TestPoems(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	for _, run := range []struct {
		prog program
		args []string
	}{
		{getPoetry, s.Args()},
		{exercise1, s.Args()},
		{exercise1, append([]string{"--timeout", "20"}, s.Args()...)},
	} {
		args := run.args
		res := progtest.Run(t, 30*time.Second, run.prog.Exe(t), args...)
		if res.Code != 0 || res.Stderr != "" || res.Stdout != s.PoemsInOrder() {
			t.Errorf("%q: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", args, res.Code, res.Stdout, s.PoemsInOrder(), res.Stderr)
		}
	}
}

// TestMatchesReference replays the reference's runs with servers with the
// tutorial's own poems, and compares the output exactly.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	ports := poetrytest.StartReferenceServers(t)
	for _, tc := range []struct {
		prog program
		run  string
		code int // the gyre program's exit status
	}{
		{getPoetry, "Run 6:", 0}, // three servers
		{getPoetry, "Run 7:", 0}, // one good, one refused
		{getPoetry, "Run 8:", 0}, // no server
		{stack, "Run 7:", 0},     // no server
	} {
		ref := progtest.FindSection(t, tc.prog.Transcript(t), tc.run)
		res := progtest.Run(t, 30*time.Second, tc.prog.Exe(t), ports.Args(strings.Fields(ref.Command)[4:])...)
		want := func(s string) string { return ports.Text(tc.prog.fromReference(s)) }
		if res.Code != tc.code || res.Stdout != want(ref.Stdout()) || res.Stderr != want(ref.Stderr()) {
			t.Errorf("%s %s: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", tc.prog.Name, ref.Title,
				res.Code, tc.code, res.Stdout, want(ref.Stdout()), res.Stderr, want(ref.Stderr()))
		}
	}
}

// TestTimeout: against a server that accepts and never sends, the
// exercise's --timeout
// fails the download's Deferred with a TimeoutError when the time is up,
// which the errback reports like any other failure; the program then
// exits 0 at once, as after any failed download. Without --timeout it would wait forever.
func TestTimeout(t *testing.T) {
	t.Parallel()
	silent := poetrytest.StartSilentServer(t)
	res := progtest.Run(t, 10*time.Second, exercise1.Exe(t), "--timeout", "0.2", silent)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: " +
		"Timed out after 200ms waiting for the poem from " + silent + ".\n]\n"
	if res.Code != 0 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	if res.Elapsed < 200*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("gave up after %v, for a timeout of 200ms", res.Elapsed)
	}

	// A stuck download among good ones: the good poems are printed, the
	// stuck one reported.
	s := poetrytest.StartScenario(t)
	res = progtest.Run(t, 10*time.Second, exercise1.Exe(t), append([]string{"--timeout", "1"}, append(s.Ports, silent)...)...)
	want = strings.Replace(want, "200ms", "1s", 1)
	if res.Code != 0 || res.Stdout != s.PoemsInOrder() || res.Stderr != want {
		t.Errorf("with good servers: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
}

// TestConnectionReset: a connection reset in the middle of a poem fails
// the Deferred, rather than passing for a short poem.
func TestConnectionReset(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	res := progtest.Run(t, 10*time.Second, getPoetry.Exe(t), addr)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectionLostError: " +
		"Connection to the other side was lost in a non-clean fashion: Connection reset by peer.\n]\n"
	if res.Code != 0 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
}

// stackFrames are the functions get-poetry-stack's stack must show, in
// this order from the innermost: the callback, called by the Deferred,
// fired by the factory, told by the protocol that the connection ended,
// which the reactor's loop found out.
var stackFrames = []string{
	"main.(*results).gotPoem",
	"gyre/deferred.(*Deferred).Callback",
	"gyre/poetry.(*ClientFactory).PoemFinished",
	"gyre/poetry.(*ClientProtocol).PoemReceived",
	"gyre/poetry.(*ClientProtocol).ConnectionLost",
	"gyre/reactor.(*Conn).ConnectionLost",
	"gyre/reactor.(*Reactor).dispatch",
	"gyre/reactor.(*Reactor).Run",
	"main.main",
}

// TestStack: when the first poem is complete, get-poetry-stack's callback
// prints the stack, from the reactor's loop through the protocol, the
// factory and the Deferred up to itself, and the program exits 0.
func TestStack(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	res := progtest.Run(t, 30*time.Second, stack.Exe(t), s.Ports...)
	if res.Code != 0 || res.Stdout != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	poetrytest.CheckStack(t, res.Stderr, stackFrames...)
}

// TestEveryBackend runs both clients on every backend this system has.
func TestEveryBackend(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	for _, backend := range reactor.Backends() {
		for _, prog := range programs {
			t.Run(backend+"/"+prog.Name, func(t *testing.T) {
				t.Parallel()
				res := progtest.RunWith(t, poetrytest.OnBackend(backend), 30*time.Second, prog.Exe(t), s.Ports...)
				switch prog {
				case getPoetry:
					if res.Code != 0 || res.Stderr != "" || res.Stdout != s.PoemsInOrder() {
						t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
					}
				case stack:
					if res.Code != 0 || res.Stdout != "" {
						t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
					}
					poetrytest.CheckStack(t, res.Stderr, stackFrames...)
				}
			})
		}
	}
	// The exercise's --timeout on every backend too: the timer is the
	// reactor's.
	silent := poetrytest.StartSilentServer(t)
	for _, backend := range reactor.Backends() {
		t.Run(backend+"/timeout", func(t *testing.T) {
			t.Parallel()
			res := progtest.RunWith(t, poetrytest.OnBackend(backend), 10*time.Second, exercise1.Exe(t), "--timeout", "0.1", silent)
			if res.Code != 0 || !strings.Contains(res.Stderr, "*main.TimeoutError: Timed out after 100ms") {
				t.Errorf("exit %d\nstderr:\n%s", res.Code, res.Stderr)
			}
		})
	}
}

// TestUnknownBackend: an unknown GYRE_REACTOR is one line and exit 1 (and
// shows that the variable is read, so TestEveryBackend is not running the
// default backend thrice).
func TestUnknownBackend(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		poetrytest.CheckUnknownBackend(t, prog.Exe(t), prog.Name, "10001")
	}
}

var exercise2 = program{poetrytest.Program{Dir: "twisted-client-4", Name: "get-poetry-exercise-2"}, ""}

// TestExercise2NamesTheServer: part 8's second exercise. Each failure is
// reported with the address of its server, so that two failures can be
// told apart; the good poem is printed, and the exit status is 0.
func TestExercise2NamesTheServer(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	refused := poetrytest.RefusedAddr(t)
	reset := poetrytest.StartResettingServer(t, "The first line, and then\n")
	res := progtest.Run(t, 10*time.Second, exercise2.Exe(t), refused, good.Port, reset)
	wantRefused := "Poem from " + refused + " failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: " +
		"Connection was refused by other side: 111: Connection refused.\n]\n"
	wantReset := "Poem from " + reset + " failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectionLostError: " +
		"Connection to the other side was lost in a non-clean fashion: Connection reset by peer.\n]\n"
	if res.Code != 0 || res.Stdout != string(poem)+"\n" || !strings.Contains(res.Stderr, wantRefused) ||
		!strings.Contains(res.Stderr, wantReset) || len(res.Stderr) != len(wantRefused)+len(wantReset) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
}
