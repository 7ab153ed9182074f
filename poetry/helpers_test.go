package poetry

import (
	"bytes"
	"log/slog"
	"net"
	"testing"
	"time"

	"gyre/reactor"
)

// testTimeout bounds every wait in these tests: a bug fails, never hangs.
const testTimeout = 20 * time.Second

// forEachBackend runs fn once per backend this system has.
func forEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range reactor.Backends() {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// newReactor makes a reactor on backend, logging into a buffer the test
// can show, closed at the end if it never ran.
func newReactor(t testing.TB, backend string) *reactor.Reactor {
	t.Helper()
	var logs bytes.Buffer
	r, err := reactor.New(reactor.WithBackend(backend),
		reactor.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		if t.Failed() && logs.Len() > 0 {
			t.Logf("reactor log:\n%s", logs.String())
		}
	})
	return r
}

// run runs r on another goroutine and waits for it, failing the test if
// it has not stopped within testTimeout.
func run(t testing.TB, r *reactor.Reactor) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testTimeout):
		r.Stop()
		<-errc
		t.Fatalf("reactor still running after %v", testTimeout)
	}
}

// listen starts a port on 127.0.0.1, system-chosen port.
func listen(t testing.TB, r *reactor.Reactor, f reactor.Factory) *reactor.Port {
	t.Helper()
	p, err := r.ListenTCP("127.0.0.1:0", f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.StopListening() })
	return p
}

// fetch is a blocking client for other goroutines: the whole poem, or the
// error.
func fetch(addr string) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	var b bytes.Buffer
	_, err = b.ReadFrom(c)
	return b.Bytes(), err
}
