// Tests for the tutorial's Twisted clients 3.0 and 3.1 (part 6):
// get-poetry (a callback) and get-poetry-1 (a callback and an errback).
// Each program is built once and run for real against in-process servers
// on loopback ports the system picks; its output is compared with the
// reference transcripts of the Python originals.
package twistedclient3_test

import (
	"fmt"
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
}

var (
	client30 = program{"get-poetry"}
	client31 = program{"get-poetry-1"}
	programs = []program{client30, client31}
)

func (p program) exe(t *testing.T) string {
	return progtest.Build(t, "./examples/twisted-client-3/"+p.name)
}

func (p program) transcript(t *testing.T) []progtest.Section {
	return progtest.LoadTranscript(t, "twisted-client-3__"+p.name+".txt")
}

// fromReference turns reference text into what the gyre program prints:
// the team's naming conventions, and Go's name for the error's type where
// Python names the exception's class.
func (p program) fromReference(s string) string {
	s = poetrytest.GyreText(s, "twisted-client-3", p.name, "twisted-client-3/"+p.name)
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
				// "timeout 10 python3 twisted-client-3/get-poetry.py ARGS..."
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

// TestPoems: both clients print the poems, in the order they finished,
// each followed by an empty line, once they are all in, whatever the form
// of the addresses.
func TestPoems(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	for _, prog := range programs {
		res := progtest.Run(t, 30*time.Second, prog.exe(t), s.args()...)
		if res.Code != 0 || res.Stderr != "" || res.Stdout != s.want {
			t.Errorf("%s: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", prog.name, res.Code, res.Stdout, s.want, res.Stderr)
		}
	}
}

// TestMatchesReference replays the reference's runs with servers (three
// servers; one good and one refused; no server) with the tutorial's own
// poems, and compares the output exactly. Client 3.0's run with no server
// hangs in the original; TestCallbackOnlyGivesUp covers it.
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
		{client31, "Run 7:", 1}, // the original exits 0 after a failure
		{client31, "Run 8:", 1},
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

// TestCallbackOnlyGivesUp: with only a callback, client 3.0 has nobody to
// report a failure to. The original then waits forever (its reference run
// is killed by a timeout); this one says why in one line and exits 1 at
// once, abandoning the other downloads.
func TestCallbackOnlyGivesUp(t *testing.T) {
	t.Parallel()
	ref := progtest.FindSection(t, client30.transcript(t), "Run 7:")
	if ref.Exit != 124 || ref.Stdout() != "" || ref.Stderr() != "" {
		t.Errorf("the reference's run 7 no longer hangs: exit %d", ref.Exit)
	}
	refused := poetrytest.RefusedAddr(t)
	// A poem that takes a good second to come: the failure must not wait
	// for it.
	poem, _ := poetry.Poem("night-bus")
	slow := poetrytest.StartSlowServer(t, poem, 10, 20*time.Millisecond)
	res := progtest.Run(t, 10*time.Second, client30.exe(t), slow.Port, refused)
	want := "get-poetry: failed to get poetry from " + refused + ": Connection was refused by other side: 111: Connection refused.\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
}

// TestConnectionReset: a connection reset in the middle of a poem is a
// failure, not a short poem: 3.0 gives up, 3.1 reports it to its errback.
func TestConnectionReset(t *testing.T) {
	t.Parallel()
	addr := poetrytest.StartResettingServer(t, "The first line, and then\n")
	const reason = "Connection to the other side was lost in a non-clean fashion: Connection reset by peer."
	for prog, want := range map[program]string{
		client30: "get-poetry: failed to get poetry from " + addr + ": " + reason + "\n",
		client31: "Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectionLostError: " + reason + "\n]\n",
	} {
		res := progtest.Run(t, 10*time.Second, prog.exe(t), addr)
		if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", prog.name, res.Code, res.Stdout, res.Stderr, want)
		}
	}
}

// TestErrbackAndCallback: 3.1 with a refused address among good ones
// reports the failure at once and still prints every poem.
func TestErrbackAndCallback(t *testing.T) {
	t.Parallel()
	s := startScenario(t)
	refused := poetrytest.RefusedAddr(t)
	res := progtest.Run(t, 30*time.Second, client31.exe(t), append(s.ports, refused)...)
	wantErr := "Poem failed: [Failure instance: Traceback (failure with no frames): *reactor.ConnectError: " +
		"Connection was refused by other side: 111: Connection refused.\n]\n"
	if res.Code != 1 || res.Stdout != s.want || res.Stderr != wantErr {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
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
				if res.Code != 0 || res.Stderr != "" || res.Stdout != s.want {
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
		res := progtest.RunWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=no-such-backend"}},
			10*time.Second, prog.exe(t), "10001")
		if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, prog.name+": ") ||
			!strings.Contains(res.Stderr, `"no-such-backend"`) || strings.Count(res.Stderr, "\n") != 1 {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", prog.name, res.Code, res.Stdout, res.Stderr)
		}
	}
}
