package twistedclient1_test

import (
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
	"gyre/reactor"
)

// The clients never choose a backend, so reactor.New takes the one the
// environment names (reactor.BackendEnv, GYRE_REACTOR): that is how these
// tests run them on each backend without a flag of their own.

// TestEveryBackend runs both clients on every backend this system has and
// checks their downloads byte for byte.
func TestEveryBackend(t *testing.T) {
	t.Parallel()
	s := startScenario(t, time.Millisecond)
	addrs := []string{"127.0.0.1:" + s.Ports[0], "127.0.0.1:" + s.Ports[1], "127.0.0.1:" + s.Ports[2]}
	for _, backend := range reactor.Backends() {
		for _, prog := range programs {
			t.Run(backend+"/"+prog.Name, func(t *testing.T) {
				t.Parallel()
				res := progtest.RunWith(t, poetrytest.OnBackend(backend), 30*time.Second, prog.Exe(t), s.Ports...)
				if res.Code != 0 || res.Stderr != "" {
					t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
				}
				r := parseReport(t, res.Stdout)
				s.checkPoems(t, r, addrs)
				switch prog {
				case getPoetry:
					if len(r.finished) != 3 || len(r.reads) < 6 {
						t.Errorf("%d \"got\" lines and finished lines for tasks %v; want several reads per task and all three finished",
							len(r.reads), r.finished)
					}
				case broken:
					if len(r.reads) != 3 || len(r.finished) != 0 {
						t.Errorf("%d \"got\" and %d \"finished\" lines, want 3 and 0", len(r.reads), len(r.finished))
					}
				}
			})
		}
	}
}

// TestUnknownBackend: a backend name the system does not have makes
// reactor.New fail; the client says so in one line and exits 1 before
// connecting anywhere. (That New fails also shows that the variable is
// read, so TestEveryBackend is not running the default backend thrice.)
func TestUnknownBackend(t *testing.T) {
	t.Parallel()
	poem, _ := poetry.Poem("night-bus")
	srv := poetrytest.StartSlowServer(t, poem, 1000, 0)
	for _, prog := range programs {
		poetrytest.CheckUnknownBackend(t, prog.Exe(t), prog.Name, srv.Port)
	}
}
