// Tests for get-poetry-inline, client 4.0 in the sequential style: built
// once and run for real against in-process servers on loopback ports the
// system picks, its output is compared with the reference transcript of
// the Python client 4.0, and with gyre's own client 4.0 run side by side.
package main_test

import (
	"strings"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

var (
	inline  = poetrytest.Program{Dir: "beyond", Name: "get-poetry-inline"}
	client4 = poetrytest.Program{Dir: "twisted-client-4", Name: "get-poetry"}
	// exercise1 is client 4.0 with --timeout, the answer to part 8's
	// first exercise.
	exercise1 = poetrytest.Program{Dir: "twisted-client-4", Name: "get-poetry-exercise-1"}
)

// transcript is client 4.0's reference transcript.
func transcript(t *testing.T) []progtest.Section { return client4.Transcript(t) }

// fromReference turns the reference text into what this program prints:
// the team's naming conventions (with this program's directory in the
// usage), the --timeout option gyre adds, and Go's names for the errors'
// types.
func fromReference(s string) string {
	s = poetrytest.GyreText(s, "twisted-client-4", "get-poetry", "beyond/get-poetry-inline")
	s = strings.ReplaceAll(s, "  -h, --help  show this help message and exit\n", ""+
		"  -h, --help         show this help message and exit\n"+
		"  --timeout=TIMEOUT  Give up on a poem that is not complete after this many\n"+
		"                     seconds. Default is to wait as long as it takes.\n")
	return poetrytest.GoTypes(s)
}

// TestUsageMatchesReference replays the reference's runs 1 to 5 (no
// arguments, --help, "abc", "127.0.0.1:abc", --bogus).
func TestUsageMatchesReference(t *testing.T) {
	t.Parallel()
	poetrytest.ReplayRuns(t, inline.Exe(t), transcript(t), 1, 5, fromReference)
}

// TestMatchesReference replays the reference's runs with servers holding
// the tutorial's own poems: three servers, one good and one refused, no
// server.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	ports := poetrytest.StartReferenceServers(t)
	for _, run := range []string{"Run 6:", "Run 7:", "Run 8:"} {
		ref := progtest.FindSection(t, transcript(t), run)
		res := progtest.Run(t, 30*time.Second, inline.Exe(t), ports.Args(strings.Fields(ref.Command)[4:])...)
		want := func(s string) string { return ports.Text(fromReference(s)) }
		// The original exits 0 even when a download failed.
		if res.Code != ref.Exit || res.Stdout != want(ref.Stdout()) || res.Stderr != want(ref.Stderr()) {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", ref.Title,
				res.Code, ref.Exit, res.Stdout, want(ref.Stdout()), res.Stderr, want(ref.Stderr()))
		}
	}
}

// TestSameAsClient4 runs this program and client 4.0 (with --timeout,
// client 4.0's first exercise) on the same servers, every kind of outcome
// included, and wants the same output and status: the poems in the order
// they finished, a refused connection, a reset in mid-poem and a timeout.
func TestSameAsClient4(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	silent := poetrytest.StartSilentServer(t)
	resetting := poetrytest.StartResettingServer(t, "The first line, and then\n")
	refused := poetrytest.RefusedAddr(t)
	for _, args := range [][]string{
		s.Args(),
		append([]string{"--timeout", "20"}, s.Args()...),
		{refused},
		{resetting},
		{"--timeout", "0.2", silent},
		append([]string{"--timeout", "1"}, append(s.Ports, silent)...),
	} {
		other := client4
		if args[0] == "--timeout" {
			other = exercise1
		}
		want := progtest.Run(t, 30*time.Second, other.Exe(t), args...)
		got := progtest.Run(t, 30*time.Second, inline.Exe(t), args...)
		if got.Code != want.Code || got.Stdout != want.Stdout || got.Stderr != want.Stderr {
			t.Errorf("%q: exit %d, client 4.0 %d\nstdout:\n%s\nclient 4.0:\n%s\nstderr:\n%s\nclient 4.0:\n%s",
				args, got.Code, want.Code, got.Stdout, want.Stdout, got.Stderr, want.Stderr)
		}
	}
}

// TestPoems: the poems in the order they finished, each followed by an
// empty line.
func TestPoems(t *testing.T) {
	t.Parallel()
	s := poetrytest.StartScenario(t)
	res := progtest.Run(t, 30*time.Second, inline.Exe(t), s.Args()...)
	if res.Code != 0 || res.Stderr != "" || res.Stdout != s.PoemsInOrder() {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Stdout, s.PoemsInOrder(), res.Stderr)
	}
}

// TestTimeout: a server that never sends is given up on after --timeout,
// through task.AddTimeout, reported in client 4.0's words.
func TestTimeout(t *testing.T) {
	t.Parallel()
	silent := poetrytest.StartSilentServer(t)
	res := progtest.Run(t, 10*time.Second, inline.Exe(t), "--timeout", "0.2", silent)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: " +
		"Timed out after 200ms waiting for the poem from " + silent + ".\n]\n"
	if res.Code != 0 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	if res.Elapsed < 200*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("gave up after %v, for a timeout of 200ms", res.Elapsed)
	}
}
