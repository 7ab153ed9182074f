// Tests for the tutorial's Twisted clients 3.0 and 3.1 (part 6):
// get-poetry (a callback) and get-poetry-1 (a callback and an errback).
// Each program is built once and run for real against in-process servers
// on loopback ports the system picks; its output is compared with the
// reference transcripts of the Python originals.
package twistedclient3_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
	"gyre/reactor"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// program is one of the two clients.
type program struct{ poetrytest.Program }

var (
	client30 = program{poetrytest.Program{Dir: "twisted-client-3", Name: "get-poetry"}}
	client31 = program{poetrytest.Program{Dir: "twisted-client-3", Name: "get-poetry-1"}}
	programs = []program{client30, client31}
)

// fromReference turns reference text into what the gyre program prints:
// the team's naming conventions, and Go's name for the error's type where
// Python names the exception's class.
func (p program) fromReference(s string) string { return poetrytest.GoTypes(p.GyreText(s)) }

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

// TestPoems: both clients print the poems, in the order they finished,
// each followed by an empty line, once they are all in, whatever the form
// of the addresses.
func TestPoems(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	for _, prog := range programs {
		res := progtest.Run(t, 30*time.Second, prog.Exe(t), s.Args()...)
		if res.Code != 0 || res.Stderr != "" || res.Stdout != s.PoemsInOrder() {
			t.Errorf("%s: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", prog.Name, res.Code, res.Stdout, s.PoemsInOrder(), res.Stderr)
		}
	}
}

// TestMatchesReference replays the reference's runs with servers (three
// servers; one good and one refused; no server) with the tutorial's own
// poems, and compares the output exactly. Client 3.0's run with no server
// hangs in the original; TestCallbackOnlyWaitsForever covers it.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	ports := poetrytest.StartReferenceServers(t)
	for _, tc := range []struct {
		prog program
		run  string
		code int // the gyre program's exit status
	}{
		{client30, "Run 6:", 0},
		{client31, "Run 6:", 0},
		{client31, "Run 7:", 0},
		{client31, "Run 8:", 0},
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

// TestCallbackOnlyWaitsForever: with only a callback, client 3.0 has
// nobody to report a failure to, so, as the original (whose reference run
// is stopped by its timeout), it prints nothing and waits for ever, even
// once the good poem is in. Interrupted, it prints the poem it has.
func TestCallbackOnlyWaitsForever(t *testing.T) {
	t.Parallel()
	waitsForever(t, "", poetrytest.RefusedAddr(t))
	// Last: without ../shared the test stops (skips) here.
	ref := progtest.FindSection(t, client30.Transcript(t), "Run 7:")
	if ref.Exit != 124 || ref.Stdout() != "" || ref.Stderr() != "" {
		t.Errorf("the reference's run 7 no longer hangs: exit %d", ref.Exit)
	}
}

// waitsForever runs client 3.0 on a good server and on bad, checks that it
// is still waiting three seconds later with nothing on stdout and
// wantStderr on stderr, then interrupts it: it prints the good poem and
// exits 0.
func waitsForever(t *testing.T, wantStderr, bad string) {
	t.Helper()
	poem, _ := poetry.Poem("night-bus")
	good := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	p := progtest.Start(t, client30.Exe(t), good.Port, bad)
	// Waiting is the behaviour under test: only time can show it.
	time.Sleep(3 * time.Second)
	if !p.Running() {
		res := p.Wait(time.Second)
		t.Fatalf("exited (status %d) instead of waiting\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	if p.Stdout() != "" || p.Stderr() != wantStderr {
		t.Errorf("while waiting:\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", p.Stdout(), p.Stderr(), wantStderr)
	}
	res := p.Signal(syscall.SIGINT)
	if res.Code != 0 || res.Stdout != string(poem)+"\n" {
		t.Errorf("interrupted: exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
}

// TestConnectionReset: a connection reset in the middle of a poem is not a
// poem: 3.0 says so on stderr and, unable to tell its callback, waits; 3.1
// hands it to its errback and exits 0, as after any failure.
func TestConnectionReset(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	const reason = "Connection to the other side was lost in a non-clean fashion: Connection reset by peer."
	waitsForever(t, "get-poetry: lost the poem from "+addr+": "+reason+"\n", addr)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectionLostError: " + reason + "\n]\n"
	res := progtest.Run(t, 10*time.Second, client31.Exe(t), addr)
	if res.Code != 0 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", client31.Name, res.Code, res.Stdout, res.Stderr, want)
	}
}

// TestErrbackAndCallback: 3.1 with a refused address among good ones
// reports the failure at once and still prints every poem.
func TestErrbackAndCallback(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	refused := poetrytest.RefusedAddr(t)
	res := progtest.Run(t, 30*time.Second, client31.Exe(t), append(s.Ports, refused)...)
	wantErr := "Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: " +
		"Connection was refused by other side: 111: Connection refused.\n]\n"
	if res.Code != 0 || res.Stdout != s.PoemsInOrder() || res.Stderr != wantErr {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
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
				if res.Code != 0 || res.Stderr != "" || res.Stdout != s.PoemsInOrder() {
					t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
				}
			})
		}
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

var (
	exercise1 = program{poetrytest.Program{Dir: "twisted-client-3", Name: "get-poetry-exercise-1"}}
	exercise3 = program{poetrytest.Program{Dir: "twisted-client-3", Name: "get-poetry-exercise-3"}}
)

// TestExercise1Timeout: part 6's first exercise. A server that never ends
// its poem: when --timeout runs out the errback gets a *main.TimeoutError,
// once, and the connection is closed (the program ends, though the server
// would hold it for ever); the good poem is still printed, and a poem in
// on time is never reported as timed out.
func TestExercise1Timeout(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	holding := poetrytest.StartHoldingServer(t, "Half a poem\n")
	res := progtest.Run(t, 10*time.Second, exercise1.Exe(t), "--timeout", "0.5", good.Port, holding)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: " +
		"Timed out after 500ms waiting for the poem from " + holding + ".\n]\n"
	if res.Code != 0 || res.Stdout != string(poem)+"\n" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	if res.Elapsed < 500*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("took %v for a timeout of 500ms", res.Elapsed)
	}
	// A refused connection is still an ordinary failure, reported once.
	refused := poetrytest.RefusedAddr(t)
	res = progtest.Run(t, 10*time.Second, exercise1.Exe(t), "--timeout", "0.3", refused)
	if res.Code != 0 || strings.Count(res.Stderr, "Poem failed:") != 1 || !strings.Contains(res.Stderr, "*reactor.ConnectError") {
		t.Errorf("refused: exit %d\nstderr:\n%s", res.Code, res.Stderr)
	}
}

// TestExercise3Order: part 6's third exercise. Every getPoetry returns,
// and main starts the reactor, before ClientConnectionFailed runs, even
// for connections refused at once.
func TestExercise3Order(t *testing.T) {
	t.Parallel()
	a, b := poetrytest.RefusedAddr(t), poetrytest.RefusedAddr(t)
	res := progtest.Run(t, 10*time.Second, exercise3.Exe(t), a, b)
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	want := []string{
		"getPoetry(" + a + "): calling ConnectTCP",
		"getPoetry(" + a + "): returning",
		"getPoetry(" + b + "): calling ConnectTCP",
		"getPoetry(" + b + "): returning",
		"main: every getPoetry has returned; running the reactor",
	}
	if res.Code != 0 || len(lines) != 7 || strings.Join(lines[:5], "\n") != strings.Join(want, "\n") ||
		!strings.HasPrefix(lines[5], "ClientConnectionFailed(") || !strings.HasPrefix(lines[6], "ClientConnectionFailed(") ||
		strings.Count(res.Stderr, "Poem failed:") != 2 {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
}
