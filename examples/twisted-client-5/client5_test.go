// Tests for the tutorial's Twisted clients 5.0 and 5.1 (part 10):
// get-poetry and get-poetry-1, which cummingsify each poem, an operation
// that randomly succeeds, fails with GibberishError or hits a bug. Each
// program is built once and run for real against in-process servers on
// loopback ports the system picks, with --seed to choose the outcomes;
// its output is compared with the reference transcripts of the Python
// originals.
package twistedclient5_test

import (
	"regexp"
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
type program struct{ poetrytest.Program }

var (
	client50 = program{poetrytest.Program{Dir: "twisted-client-5", Name: "get-poetry"}}
	client51 = program{poetrytest.Program{Dir: "twisted-client-5", Name: "get-poetry-1"}}
	programs = []program{client50, client51}
)

// options are the help lines of the options gyre adds (with -h's, whose
// column moves).
const options = "" +
	"  -h, --help         show this help message and exit\n" +
	"  --seed=SEED        Seed the random outcomes of Cummingsify, to make a run\n" +
	"                     reproducible. Default is a new draw every run.\n" +
	"  --timeout=TIMEOUT  Give up on a poem that is not complete after this many\n" +
	"                     seconds. Default is to wait as long as it takes.\n"

// fromReference turns reference text into what the gyre program prints:
// the team's naming conventions and the options gyre adds.
func (p program) fromReference(s string) string {
	s = p.GyreText(s)
	return strings.ReplaceAll(s, "  -h, --help  show this help message and exit\n", options)
}

// TestUsageMatchesReference replays the reference's runs 1 to 5 (no
// arguments, --help, "abc", "127.0.0.1:abc", --bogus) and compares
// everything, character for character.
func TestUsageMatchesReference(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		t.Run(prog.Name, func(t *testing.T) {
			t.Parallel()
			exe := prog.Exe(t)
			poetrytest.ReplayRuns(t, exe, prog.Transcript(t), 1, 5, prog.fromReference)
			usage := poetrytest.Usage(t, exe)
			for args, msg := range map[string]string{
				"--seed x 10001":        "option --seed: invalid integer value: 'x'",
				"--timeout -2 10001":    "option --timeout: the timeout must be 0 (none) or more seconds, not -2",
				"--timeout 1e300 10001": "option --timeout: 1e+300 seconds is too long, the most is 9223372036 (about 292 years)",
			} {
				res := progtest.Run(t, 10*time.Second, exe, strings.Fields(args)...)
				if want := usage + prog.Name + ": error: " + msg + "\n"; res.Code != 2 || res.Stderr != want {
					t.Errorf("%s: exit %d\nstderr:\n%s\nwant:\n%s", args, res.Code, res.Stderr, want)
				}
			}
		})
	}
}

// Seeds, and the outcomes they give the first poems to finish (the
// generator draws once per poem, in the order the poems finish): 0 means
// success, 1 GibberishError, 2 the bug (ValueError, or CannotCummingsify
// in 5.1).
var seeds = map[[2]int]string{
	{0, 2}: "0",
	{2, 0}: "1",
	{2, 2}: "4",
	{1, 0}: "13",
	{1, 2}: "23",
}

func seedFor(t *testing.T, first, second int) string {
	t.Helper()
	s, ok := seeds[[2]int{first, second}]
	if !ok {
		t.Fatalf("no seed for the outcomes %d, %d", first, second)
	}
	return s
}

const downloadFailed = "The poem download failed.\n"

// TestOutcomes: each of Cummingsify's three outcomes, on one poem, for
// both clients. Success prints the poem in lower case; GibberishError
// prints "The poem download failed." on stderr (and the exit status is 0,
// as the original's); the bug prints "Cummingsify failed!" and the poem
// unchanged, as text (not the bytes repr of the Python 3 port of 5.0).
func TestOutcomes(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("orchard")
	srv := poetrytest.StartSlowServer(t, poem, 200, time.Millisecond)
	for _, prog := range programs {
		for _, tc := range []struct {
			outcome        string
			seed           string
			code           int
			stdout, stderr string
		}{
			{"success", seedFor(t, 0, 2), 0, strings.ToLower(string(poem)) + "\n", ""},
			{"gibberish", seedFor(t, 1, 0), 0, "", downloadFailed},
			{"bug", seedFor(t, 2, 0), 0, "Cummingsify failed!\n" + string(poem) + "\n", ""},
		} {
			res := progtest.Run(t, 10*time.Second, prog.Exe(t), "--seed", tc.seed, "localhost:"+srv.Port)
			if res.Code != tc.code || res.Stdout != tc.stdout || res.Stderr != tc.stderr {
				t.Errorf("%s, %s (seed %s): exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", prog.Name,
					tc.outcome, tc.seed, res.Code, tc.code, res.Stdout, tc.stdout, res.Stderr, tc.stderr)
			}
		}
	}
}

// TestRandomWithoutSeed: without --seed the outcome is drawn afresh each
// run. Over 30 runs (one poem each) all three outcomes turn up, unless
// something is badly wrong: the chance that one of them is missing is
// below 1 in 10^4.
func TestRandomWithoutSeed(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("night-bus")
	srv := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	seen := map[string]bool{}
	for range 30 {
		res := progtest.Run(t, 10*time.Second, client51.Exe(t), srv.Port)
		switch {
		case res.Stderr == downloadFailed:
			seen["gibberish"] = true
		case strings.HasPrefix(res.Stdout, "Cummingsify failed!\n"):
			seen["bug"] = true
		case res.Stdout == strings.ToLower(string(poem))+"\n":
			seen["success"] = true
		default:
			t.Fatalf("unexpected output:\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
		}
		if len(seen) == 3 {
			return
		}
	}
	t.Errorf("30 runs without --seed gave only %v", seen)
}

// pyBytesRE is a line that is the repr of a Python bytes object.
var pyBytesRE = regexp.MustCompile(`(?m)^b"(.*)"$|^b'(.*)'$`)

// pyBytesAsText turns the bytes reprs that 5.0's Python 3 port prints
// after "Cummingsify failed!" into the text the tutorial (and gyre)
// prints there.
func pyBytesAsText(s string) string {
	return pyBytesRE.ReplaceAllStringFunc(s, func(line string) string {
		body := line[2 : len(line)-1]
		// Python's print adds the newline after the repr; the text already
		// ends with one, and the line's own newline is print's.
		return strings.NewReplacer(`\n`, "\n", `\'`, "'", `\"`, `"`, `\\`, `\`).Replace(body)
	})
}

// TestMatchesReference replays the reference's runs with the tutorial's
// poems (fascination on 10002, science on 10003, served so that
// fascination finishes first), with the seed that gives the outcomes each
// run shows, and compares the output exactly, but for 5.0's bytes reprs,
// which gyre prints as the poem's text.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	ports := poetrytest.StartReferenceServers(t)
	for _, tc := range []struct {
		prog program
		run  string
		seed string
		code int // the exit status: always 0, as the original's
	}{
		{client50, "Run 6:", "0", 0},               // no server
		{client50, "Run 7:", seedFor(t, 1, 0), 0},  // fascination gibberish, science success
		{client50, "Run 8:", seedFor(t, 2, 2), 0},  // both hit the bug
		{client50, "Run 9:", seedFor(t, 1, 2), 0},  // fascination gibberish, science bug
		{client50, "Run 10:", seedFor(t, 2, 0), 0}, // fascination bug, science success
		{client51, "Run 6:", "0", 0},               // no server
		{client51, "Run 7:", seedFor(t, 0, 2), 0},  // fascination success, science bug
		{client51, "Run 8:", seedFor(t, 2, 2), 0},  // both hit the bug
		{client51, "Run 10:", seedFor(t, 1, 2), 0}, // fascination gibberish, science bug
		{client51, "Run 9:", seedFor(t, 0, 2), 0},  // as run 7
		{client51, "Run 7:", seedFor(t, 0, 2), 0},  // twice: the seed makes it reproducible
	} {
		ref := progtest.FindSection(t, tc.prog.Transcript(t), tc.run)
		args := append([]string{"--seed", tc.seed}, ports.Args(strings.Fields(ref.Command)[4:])...)
		res := progtest.Run(t, 30*time.Second, tc.prog.Exe(t), args...)
		wantOut, wantErr := pyBytesAsText(ref.Stdout()), ref.Stderr()
		if res.Code != tc.code || res.Stdout != wantOut || res.Stderr != wantErr {
			t.Errorf("%s %s, seed %s: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", tc.prog.Name, ref.Title,
				tc.seed, res.Code, tc.code, res.Stdout, wantOut, res.Stderr, wantErr)
		}
	}
}

// TestTimeout: a download stuck on a server that never sends fails when
// --timeout runs out, and is reported as any failed download is; the
// other poems are printed.
func TestTimeout(t *testing.T) {
	t.Parallel()
	silent := poetrytest.StartSilentServer(t)
	poem, _ := poetry.Poem("orchard")
	good := poetrytest.StartSlowServer(t, poem, len(poem), 0)
	for _, prog := range programs {
		res := progtest.Run(t, 10*time.Second, prog.Exe(t), "--seed", seedFor(t, 0, 2), "--timeout", "0.2", silent, good.Port)
		if want := strings.ToLower(string(poem)) + "\n"; res.Code != 0 || res.Stdout != want || res.Stderr != downloadFailed {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", prog.Name, res.Code, res.Stdout, res.Stderr)
		}
		if res.Elapsed < 200*time.Millisecond || res.Elapsed > 5*time.Second {
			t.Errorf("%s: gave up after %v, for a timeout of 200ms", prog.Name, res.Elapsed)
		}
	}
}

// TestConnectionReset: a connection reset in the middle of a poem is a
// failed download, not a short poem to cummingsify.
func TestConnectionReset(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	for _, prog := range programs {
		res := progtest.Run(t, 10*time.Second, prog.Exe(t), "--seed", seedFor(t, 0, 2), addr)
		if res.Code != 0 || res.Stdout != "" || res.Stderr != downloadFailed {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", prog.Name, res.Code, res.Stdout, res.Stderr)
		}
	}
}

// TestEveryBackend runs both clients on every backend this system has,
// two poems each, with a seed that gives a success and a bug.
func TestEveryBackend(t *testing.T) {
	t.Parallel()
	orchard, _ := poetry.Poem("orchard")
	library, _ := poetry.Poem("library")
	servers := poetrytest.StartStaggeredServers(t, orchard, library)
	want := strings.ToLower(string(orchard)) + "\n" + "Cummingsify failed!\n" + string(library) + "\n"
	for _, backend := range reactor.Backends() {
		for _, prog := range programs {
			t.Run(backend+"/"+prog.Name, func(t *testing.T) {
				t.Parallel()
				res := progtest.RunWith(t, poetrytest.OnBackend(backend), 30*time.Second, prog.Exe(t), "--seed", seedFor(t, 0, 2), servers[1].Port, servers[0].Port)
				if res.Code != 0 || res.Stderr != "" || res.Stdout != want {
					t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", res.Code, res.Stdout, want, res.Stderr)
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
