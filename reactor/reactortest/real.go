package reactortest

import (
	"testing"

	"gyre/reactor"
)

// RealReactor returns a real reactor on backend (one of reactor.Backends),
// for the tests that go over sockets after the unit tests on doubles: it
// fails the test if the reactor cannot be made, and closes it when the
// test ends (closing one that has run is harmless). Run it on a goroutine
// of the test's, which then plays the loop.
func RealReactor(t testing.TB, backend string) *reactor.Reactor {
	t.Helper()
	r, err := reactor.New(reactor.WithBackend(backend))
	if err != nil {
		t.Fatalf("reactor on %s: %v", backend, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
