package twistedclient2_test

import (
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
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
			t.Run(backend+"/"+prog.Name, func(t *testing.T) {
				t.Parallel()
				res := progtest.RunWith(t, poetrytest.OnBackend(backend), 30*time.Second, prog.Exe(t), s.Ports...)
				switch prog {
				case getPoetry:
					if res.Code != 0 || res.Stderr != "" {
						t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
					}
					s.check(t, parseReport(t, res.Stdout))
				case simple:
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
}

// TestUnknownBackend: a backend name the system does not have makes
// reactor.New fail; the client says so in one line and exits 1. (That New
// fails also shows that the variable is read, so TestEveryBackend is not
// running the default backend thrice.)
func TestUnknownBackend(t *testing.T) {
	t.Parallel()
	for _, prog := range programs {
		poetrytest.CheckUnknownBackend(t, prog.Exe(t), prog.Name, "10001")
	}
}
