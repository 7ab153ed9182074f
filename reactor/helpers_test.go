package reactor

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// forEachBackend runs fn as a subtest once per backend this system has:
// the whole suite holds for select, poll and epoll (or kqueue) alike.
func forEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// syncBuffer is a bytes.Buffer safe for the logger to write from the loop
// while the test reads it afterwards.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newReactor makes a reactor on backend whose log goes to the returned
// buffer, and closes it when the test ends if it never ran.
func newReactor(t testing.TB, backend string, options ...Option) (*Reactor, *syncBuffer) {
	t.Helper()
	logs := new(syncBuffer)
	options = append([]Option{WithBackend(backend), WithLogger(slog.New(NewTracebackHandler(logs, nil)))}, options...)
	r, err := New(options...)
	if err != nil {
		t.Fatalf("New(%s): %v", backend, err)
	}
	t.Cleanup(func() { r.Close() })
	return r, logs
}

// testTimeout bounds every wait in these tests: a bug fails, never hangs.
const testTimeout = 10 * time.Second

// run runs r on a goroutine of its own (that goroutine is then the loop
// goroutine) and waits for Run to return, failing the test if it has not
// within testTimeout.
func run(t testing.TB, r *Reactor) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(testTimeout):
		r.Stop()
		t.Fatalf("reactor still running after %v", testTimeout)
	}
}

// pipe returns a non-blocking pipe, closed when the test ends (closing an
// fd twice is harmless here: the errors are ignored).
func pipe(t testing.TB) (rfd, wfd int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		unix.Close(p[0])
		unix.Close(p[1])
	})
	return p[0], p[1]
}

func write(t testing.TB, fd int, s string) {
	t.Helper()
	if _, err := unix.Write(fd, []byte(s)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// desc is a descriptor for tests: it is a reader and a writer, and does what
// its functions say.
type desc struct {
	fd      int
	name    string
	read    func() error
	write   func() error
	reads   int
	writes  int
	lost    []error
	onLost  func(error)
	halfEnd []error // ReadConnectionLost reasons (halfDesc only)
}

func (d *desc) Fd() int           { return d.fd }
func (d *desc) LogPrefix() string { return d.name }
func (d *desc) DoRead() error {
	d.reads++
	if d.read != nil {
		return d.read()
	}
	return nil
}
func (d *desc) DoWrite() error {
	d.writes++
	if d.write != nil {
		return d.write()
	}
	return nil
}
func (d *desc) ConnectionLost(reason error) {
	d.lost = append(d.lost, reason)
	if d.onLost != nil {
		d.onLost(reason)
	}
}

// drain reads everything readable from fd; the error is io.EOF at end of
// file, nil when it would block.
func drain(fd int) (string, error) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if n > 0 {
			out = append(out, buf[:n]...)
			continue
		}
		if n == 0 && err == nil {
			return string(out), io.EOF
		}
		if err == unix.EAGAIN {
			return string(out), nil
		}
		return string(out), err
	}
}

// directWrites pins a reactor to one write(2) per Write, for the tests
// that drive a Conn by hand (pairConn) without running the loop, which is
// what would send batched output (WithBatchedIO, GYRE_BATCHED_IO=1).
var directWrites = WithBatchedIO(false)
