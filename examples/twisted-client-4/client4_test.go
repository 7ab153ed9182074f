// Tests for the tutorial's Twisted client 4.0 (part 8): get-poetry, whose
// getPoetry returns a Deferred, and get-poetry-stack. Each program is
// built once and run for real against in-process servers on loopback
// ports the system picks; its output is compared with the reference
// transcripts of the Python originals.
package twistedclient4_test

import (
	"fmt"
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
type program struct {
	name string // the tutorial's script without ".py", also the directory
	// options are the help lines of the options gyre adds.
	options string
}

var (
	getPoetry = program{"get-poetry", "" +
		"  -h, --help         show this help message and exit\n" +
		"  --timeout=TIMEOUT  Give up on a poem that is not complete after this many\n" +
		"                     seconds. Default is to wait as long as it takes.\n"}
	stack    = program{"get-poetry-stack", ""}
	programs = []program{getPoetry, stack}
)

func (p program) exe(t *testing.T) string {
	return progtest.Build(t, "./examples/twisted-client-4/"+p.name)
}

func (p program) transcript(t *testing.T) []progtest.Section {
	return progtest.LoadTranscript(t, "twisted-client-4__"+p.name+".txt")
}

// fromReference turns reference text into what the gyre program prints:
// the team's naming conventions, the options gyre adds, and Go's name for
// the error's type where Python names the exception's class.
func (p program) fromReference(s string) string {
	s = poetrytest.GyreText(s, "twisted-client-4", p.name, "twisted-client-4/"+p.name)
	if p.options != "" {
		s = strings.ReplaceAll(s, "  -h, --help  show this help message and exit\n", p.options)
	}
	return strings.ReplaceAll(s, "<class 'twisted.internet.error.ConnectionRefusedError'>", "*reactor.ConnectError")
}

// TestUsageMatchesReference replays the reference's runs 1 to 5 (no
// arguments, --help, "abc", "127.0.0.1:abc", --bogus) and compares
// everything, character for character.
func TestUsageMatchesReference(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		t.Run(prog.name, func(t *testing.T) {
			t.Parallel()
			exe := prog.exe(t)
			sections := prog.transcript(t)
			for i := 1; i <= 5; i++ {
				ref := progtest.FindSection(t, sections, fmt.Sprintf("Run %d:", i))
				// "timeout 10 python3 twisted-client-4/get-poetry.py ARGS..."
				args := strings.Fields(ref.Command)[4:]
				res := progtest.Run(t, 10*time.Second, exe, args...)
				if res.Code != ref.Exit || res.Stdout != prog.fromReference(ref.Stdout()) ||
					res.Stderr != prog.fromReference(ref.Stderr()) {
					t.Errorf("%s: exit %d (reference %d)\nstdout:\n%s\nstderr:\n%s",
						ref.Title, res.Code, ref.Exit, res.Stdout, res.Stderr)
				}
			}
		})
	}
}

// TestBadTimeout: a --timeout that is not a number of seconds is a usage
// error.
func TestBadTimeout(t *testing.T) {
	t.Parallel()
	exe := getPoetry.exe(t)
	help := progtest.Run(t, 10*time.Second, exe, "--help").Stdout
	usage := help[:strings.Index(help, "Options:")]
	for _, tc := range []struct {
		value, msg string
	}{
		{"abc", "option --timeout: invalid floating-point value: 'abc'"},
		{"-1", "option --timeout: the timeout must be 0 (none) or more seconds, not -1"},
		{"nan", "option --timeout: the timeout must be 0 (none) or more seconds, not NaN"},
		{"inf", "option --timeout: the timeout must be 0 (none) or more seconds, not +Inf"},
	} {
		res := progtest.Run(t, 10*time.Second, exe, "--timeout", tc.value, "10001")
		if want := usage + "get-poetry: error: " + tc.msg + "\n"; res.Code != 2 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("--timeout %s: exit %d\nstderr:\n%s\nwant:\n%s", tc.value, res.Code, res.Stderr, want)
		}
	}
}

// scenario is three servers with gyre's poems, paced so that the poems
// finish in a known order, the first argument's last.
type scenario struct {
	ports []string // in argument order
	want  string   // the poems in the order they finish, an empty line after each
}

// args are the scenario's addresses in the three forms a client takes: a
// bare port, localhost:PORT and 127.0.0.1:PORT.
func (s scenario) args() []string {
	return []string{s.ports[0], "localhost:" + s.ports[1], "127.0.0.1:" + s.ports[2]}
}

func startScenario(t *testing.T) scenario {
	t.Helper()
	poem := func(name string) []byte {
		p, err := poetry.Poem(name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	library, orchard, nightBus := poem("library"), poem("orchard"), poem("night-bus")
	servers := poetrytest.StartStaggeredServers(t, orchard, nightBus, library)
	return scenario{
		ports: []string{servers[2].Port, servers[0].Port, servers[1].Port},
		want:  string(orchard) + "\n" + string(nightBus) + "\n" + string(library) + "\n",
	}
}

// TestPoems: the poems, in the order they finished, each followed by an
// empty line, once they are all in, whatever the form of the addresses;
// with and without a --timeout that the downloads beat.
func TestPoems(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	for _, args := range [][]string{s.args(), append([]string{"--timeout", "20"}, s.args()...)} {
		res := progtest.Run(t, 30*time.Second, getPoetry.exe(t), args...)
		if res.Code != 0 || res.Stderr != "" || res.Stdout != s.want {
			t.Errorf("%q: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", args, res.Code, res.Stdout, s.want, res.Stderr)
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
		{getPoetry, "Run 7:", 1}, // one good, one refused; the original exits 0
		{getPoetry, "Run 8:", 1}, // no server
		{stack, "Run 7:", 1},     // no server
	} {
		ref := progtest.FindSection(t, tc.prog.transcript(t), tc.run)
		res := progtest.Run(t, 30*time.Second, tc.prog.exe(t), ports.Args(strings.Fields(ref.Command)[4:])...)
		want := func(s string) string { return ports.Text(tc.prog.fromReference(s)) }
		if res.Code != tc.code || res.Stdout != want(ref.Stdout()) || res.Stderr != want(ref.Stderr()) {
			t.Errorf("%s %s: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", tc.prog.name, ref.Title,
				res.Code, tc.code, res.Stdout, want(ref.Stdout()), res.Stderr, want(ref.Stderr()))
		}
	}
}

// TestTimeout: against a server that accepts and never sends, --timeout
// fails the download's Deferred with a TimeoutError when the time is up,
// which the errback reports like any other failure; the program then
// exits 1 at once. Without --timeout it would wait forever.
func TestTimeout(t *testing.T) {
	t.Parallel()
	silent := poetrytest.StartSilentServer(t)
	res := progtest.Run(t, 10*time.Second, getPoetry.exe(t), "--timeout", "0.2", silent)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *main.TimeoutError: " +
		"Timed out after 200ms waiting for the poem from " + silent + ".\n]\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	if res.Elapsed < 200*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("gave up after %v, for a timeout of 200ms", res.Elapsed)
	}

	// A stuck download among good ones: the good poems are printed, the
	// stuck one reported.
	s := startScenario(t)
	res = progtest.Run(t, 10*time.Second, getPoetry.exe(t), append([]string{"--timeout", "1"}, append(s.ports, silent)...)...)
	want = strings.Replace(want, "200ms", "1s", 1)
	if res.Code != 1 || res.Stdout != s.want || res.Stderr != want {
		t.Errorf("with good servers: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
}

// TestConnectionReset: a connection reset in the middle of a poem fails
// the Deferred, rather than passing for a short poem.
func TestConnectionReset(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	res := progtest.Run(t, 10*time.Second, getPoetry.exe(t), addr)
	want := "Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectionLostError: " +
		"Connection to the other side was lost in a non-clean fashion: Connection reset by peer.\n]\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
}

// Go's stack trace: "pkg.function(args)" lines, each followed by a
// "\tfile:line" line.
var frameRE = regexp.MustCompile(`(?m)^(\S+)\(.*\)$`)

// stackFrames are the functions get-poetry-stack's stack must show, in
// this order from the innermost: the callback, called by the Deferred,
// fired by the factory, told by the protocol that the connection ended,
// which the reactor's loop found out.
var stackFrames = []string{
	"main.(*results).gotPoem",
	"gyre/deferred.(*Deferred).Callback",
	"gyre/poetry.(*PoetryClientFactory).PoemFinished",
	"gyre/poetry.(*PoetryProtocol).PoemReceived",
	"gyre/poetry.(*PoetryProtocol).ConnectionLost",
	"gyre/reactor.(*Conn).ConnectionLost",
	"gyre/reactor.(*Reactor).dispatch",
	"gyre/reactor.(*Reactor).Run",
	"main.main",
}

// checkFrames checks that the stack holds the functions, in that order
// from the innermost, with the first one at the top (under runtime/debug's
// own frames) and main.main at the bottom.
func checkFrames(t *testing.T, trace string, want ...string) {
	t.Helper()
	var got []string
	for _, m := range frameRE.FindAllStringSubmatch(trace, -1) {
		if !strings.HasPrefix(m[1], "runtime/debug.") {
			got = append(got, m[1])
		}
	}
	if len(got) == 0 || got[0] != want[0] || got[len(got)-1] != "main.main" {
		t.Fatalf("the stack does not run from %s to main.main:\n%s", want[0], trace)
	}
	i := 0
	for _, f := range got {
		if i < len(want) && f == want[i] {
			i++
		}
	}
	if i != len(want) {
		t.Errorf("the stack does not show %v in that order (missing %s):\n%s", want, want[i], trace)
	}
}

// TestStack: when the first poem is complete, get-poetry-stack's callback
// prints the stack, from the reactor's loop through the protocol, the
// factory and the Deferred up to itself, and the program exits 0.
func TestStack(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	res := progtest.Run(t, 30*time.Second, stack.exe(t), s.ports...)
	if res.Code != 0 || res.Stdout != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	checkFrames(t, res.Stderr, stackFrames...)
}

// TestEveryBackend runs both clients on every backend this system has.
func TestEveryBackend(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	for _, backend := range reactor.Backends() {
		for _, prog := range programs {
			t.Run(backend+"/"+prog.name, func(t *testing.T) {
				t.Parallel()
				res := progtest.RunWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}},
					30*time.Second, prog.exe(t), s.ports...)
				switch prog {
				case getPoetry:
					if res.Code != 0 || res.Stderr != "" || res.Stdout != s.want {
						t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
					}
				case stack:
					if res.Code != 0 || res.Stdout != "" {
						t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
					}
					checkFrames(t, res.Stderr, stackFrames...)
				}
			})
		}
	}
	// --timeout on every backend too: the timer is the reactor's.
	silent := poetrytest.StartSilentServer(t)
	for _, backend := range reactor.Backends() {
		t.Run(backend+"/timeout", func(t *testing.T) {
			t.Parallel()
			res := progtest.RunWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}},
				10*time.Second, getPoetry.exe(t), "--timeout", "0.1", silent)
			if res.Code != 1 || !strings.Contains(res.Stderr, "*main.TimeoutError: Timed out after 100ms") {
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
		res := progtest.RunWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=no-such-backend"}},
			10*time.Second, prog.exe(t), "10001")
		if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, prog.name+": ") ||
			!strings.Contains(res.Stderr, `"no-such-backend"`) || strings.Count(res.Stderr, "\n") != 1 {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", prog.name, res.Code, res.Stdout, res.Stderr)
		}
	}
}
