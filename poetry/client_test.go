package poetry

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/internal/progtest"
	"gyre/reactor"
)

// getPoetry runs one GetPoetry on r to the end and returns its outcome.
func getPoetry(t *testing.T, r *reactor.Reactor, addr string, opts ...GetOption) (string, error) {
	t.Helper()
	var poem string
	var err error
	r.CallWhenRunning(func() {
		GetPoetry(r, addr, opts...).AddCallbacks(func(v any) (any, error) {
			poem = v.(string)
			r.Stop()
			return nil, nil
		}, func(f *deferred.Failure) (any, error) {
			err = f
			r.Stop()
			return nil, nil
		})
	})
	run(t, r)
	return poem, err
}

// The tutorial's tests/test_poetry.py, test_client: a server and
// GetPoetry in one reactor, and the poem comes back exactly, non-ASCII
// characters included.
func TestClient(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		for _, name := range Poems() {
			poem, _ := Poem(name)
			r := newReactor(t, backend)
			port := listen(t, r, NewFastServerFactory(poem))
			got, err := getPoetry(t, r, port.Addr().String())
			if err != nil || got != string(poem) {
				t.Errorf("%s: got %d bytes, %v; want %d bytes", name, len(got), err, len(poem))
			}
		}
	})
}

// test_failure: a port with no server fails the Deferred with a connect
// error that is ECONNREFUSED.
func TestFailure(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r := newReactor(t, backend)
		_, err := getPoetry(t, r, progtest.RefusedAddr(t))
		var ce *reactor.ConnectError
		if !errors.As(err, &ce) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("got %v, want a refused *reactor.ConnectError", err)
		}
	})
}

// A server that resets the connection mid-poem makes GetPoetry fail with
// a lost connection, never return the half poem.
func TestResetMidPoemIsAFailure(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r := newReactor(t, backend)
		port := listen(t, r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
			p := &halfThenReset{}
			return p
		}))
		got, err := getPoetry(t, r, port.Addr().String())
		if !errors.Is(err, reactor.ErrConnectionLost) || !errors.Is(err, syscall.ECONNRESET) || got != "" {
			t.Fatalf("got %q, %v; want a lost connection", got, err)
		}
	})
}

// halfThenReset sends half a poem and resets the connection a little
// later, when the client has read the half (a reset that overtakes the
// connect itself is a failure to connect, as in Twisted).
type halfThenReset struct{ reactor.BaseProtocol }

func (h *halfThenReset) ConnectionMade() {
	h.Transport.Write([]byte("The first half of a poem, and then"))
	h.Transport.(*reactor.Conn).Reactor().CallLater(20*time.Millisecond, h.Transport.AbortConnection)
}

// A server that never finishes: WithTimeout aborts the download (the
// server sees a reset) and fails the Deferred with a *TimeoutError, which
// is ErrTimeout, says which server and limit, and is named as such in a
// printed Failure.
func TestTimeout(t *testing.T) {
	r := newReactor(t, reactor.DefaultBackend())
	var server *silentProtocol
	port := listen(t, r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		server = &silentProtocol{onLost: func() { r.Stop() }}
		return server
	}))
	var err error
	start := time.Now()
	var took time.Duration
	r.CallWhenRunning(func() {
		GetPoetry(r, port.Addr().String(), WithTimeout(100*time.Millisecond)).AddErrback(func(f *deferred.Failure) (any, error) {
			err, took = f, time.Since(start)
			return nil, nil
		})
	})
	run(t, r)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if took < 100*time.Millisecond || took > 5*time.Second {
		t.Errorf("timed out after %v", took)
	}
	if !strings.Contains(err.Error(), port.Addr().String()) {
		t.Errorf("message %q does not name the server", err)
	}
	var te *TimeoutError
	if !errors.As(err, &te) || te.Addr != port.Addr().String() || te.Timeout != 100*time.Millisecond {
		t.Errorf("got %#v, want a *TimeoutError for %s after 100ms", err, port.Addr())
	}
	want := "[Failure instance: Traceback (failure with no frames): *poetry.TimeoutError: " + err.Error() + "\n]"
	if got := fmt.Sprintf("%+v", err); got != want {
		t.Errorf("printed Failure:\n%s\nwant:\n%s", got, want)
	}
	if !errors.Is(server.lost, syscall.ECONNRESET) {
		t.Errorf("server saw %v, want a reset", server.lost)
	}
}

// Stuck connecting (the server's accept queue is full): the timeout
// applies too.
func TestTimeoutWhileConnecting(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r := newReactor(t, reactor.DefaultBackend())
	_, err := getPoetry(t, r, addr, WithTimeout(100*time.Millisecond))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
}

type silentProtocol struct {
	reactor.BaseProtocol
	lost   error
	onLost func()
}

func (s *silentProtocol) ConnectionLost(reason error) {
	s.lost = reason
	if s.onLost != nil {
		s.onLost()
	}
}

// The chunk observer sees every byte, in order, as it arrives.
func TestChunkObserver(t *testing.T) {
	r := newReactor(t, reactor.DefaultBackend())
	poem, _ := Poem("library")
	port := listen(t, r, NewSlowServerFactory(r, poem, 500, time.Millisecond))
	var seen []byte
	chunks := 0
	got, err := getPoetry(t, r, port.Addr().String(), WithChunkObserver(func(b []byte) {
		seen = append(seen, b...)
		chunks++
	}))
	if err != nil || got != string(poem) || string(seen) != got {
		t.Fatalf("got %d bytes, observed %d, %v", len(got), len(seen), err)
	}
	if chunks < 2 {
		t.Errorf("%d chunks observed", chunks)
	}
}

// Cancelling the Deferred abandons the download: ErrCancelled, and the
// connection is aborted.
func TestCancel(t *testing.T) {
	r := newReactor(t, reactor.DefaultBackend())
	var server *silentProtocol
	port := listen(t, r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		server = &silentProtocol{}
		return server
	}))
	var err error
	r.CallWhenRunning(func() {
		d := GetPoetry(r, port.Addr().String())
		d.AddErrback(func(f *deferred.Failure) (any, error) {
			err = f
			return nil, nil
		})
		r.CallLater(50*time.Millisecond, d.Cancel)
		r.CallLater(200*time.Millisecond, func() { r.Stop() })
	})
	run(t, r)
	if !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v", err)
	}
	if server == nil || !errors.Is(server.lost, reactor.ErrConnectionLost) {
		t.Errorf("server side: %v", server)
	}
}

// WithoutPoem keeps nothing: the chunk observer sees the whole poem, and
// the Deferred fires with the empty string.
func TestGetPoetryWithoutPoem(t *testing.T) {
	poem := bigPoem(1 << 20)
	r := newReactor(t, reactor.DefaultBackend())
	port := listen(t, r, NewFastServerFactory(poem))
	var seen bytes.Buffer
	got, err := getPoetry(t, r, port.Addr().String(), WithoutPoem(), WithChunkObserver(func(b []byte) { seen.Write(b) }))
	if err != nil || got != "" || !bytes.Equal(seen.Bytes(), poem) {
		t.Errorf("fired with %d bytes (%v); observer saw %d of %d", len(got), err, seen.Len(), len(poem))
	}
}

// WithMaxBytes fails a download whose server sends more, with a
// *TooLargeError, and nothing past the bound reaches the observer; a poem
// of exactly the bound comes whole.
func TestMaxBytes(t *testing.T) {
	const limit = 100000
	poem := bigPoem(1 << 20)
	forEachBackend(t, func(t *testing.T, backend string) {
		r := newReactor(t, backend)
		over := listen(t, r, NewFastServerFactory(poem))
		seen := 0
		_, err := getPoetry(t, r, over.Addr().String(), WithMaxBytes(limit), WithChunkObserver(func(b []byte) { seen += len(b) }))
		var tl *TooLargeError
		if !errors.As(err, &tl) || tl.MaxBytes != limit || !errors.Is(err, ErrTooLarge) || seen > limit {
			t.Errorf("over the bound: %v (observer saw %d bytes)", err, seen)
		}
		r = newReactor(t, backend)
		exact := listen(t, r, NewFastServerFactory(poem[:limit]))
		got, err := getPoetry(t, r, exact.Addr().String(), WithMaxBytes(limit))
		if err != nil || got != string(poem[:limit]) {
			t.Errorf("at the bound: %d bytes, %v", len(got), err)
		}
	})
}
