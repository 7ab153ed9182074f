package twistedclient2_test

import (
	"strings"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/reactor"
)

// The clients never choose a backend, so reactor.New takes the one the
// environment names (reactor.BackendEnv, GYRE_REACTOR): that is how these
// tests run them on each backend without a flag of their own.

// TestEveryBackend runs the three clients on every backend this system has
// (select, poll and epoll on Linux) against the three-server scenario.
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
					if res.Code != 0 || res.Stderr != "" {
						t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
					}
					s.check(t, parseReport(t, res.Stdout))
				case simple:
					if res.Code != 0 || res.Stderr != "" || res.Stdout != s.poemsInOrder() {
						t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
					}
				case stack:
					if res.Code != 0 || res.Stdout != "" {
						t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
					}
					checkFrames(t, res.Stderr, "main.(*PoetryProtocol).DataReceived", "gyre/reactor.(*Conn).DoRead",
						"gyre/reactor.(*Reactor).dispatch", "gyre/reactor.(*Reactor).Run", "main.main")
				}
			})
		}
	}
}

// TestUnknownBackend: a backend name the system does not have makes
// reactor.New fail; the client says so in one line and exits 1. (That New
// fails also shows that the variable is read, so TestEveryBackend is not
// running the default backend thrice.)
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
