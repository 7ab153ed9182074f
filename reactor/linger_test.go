package reactor

import (
	"errors"
	"net"
	"testing"
	"time"
)

// answerer is a server that answers a client's first bytes with answer and
// LoseConnection.
func answerer(answer []byte) Factory {
	return FactoryFunc(func(net.Addr) Protocol {
		answered := false
		return &recorder{onData: func(p *recorder, _ []byte) {
			if !answered {
				answered = true
				p.Transport.Write(answer)
				p.Transport.LoseConnection()
			}
		}}
	})
}

// shorten sets a linger bound for one test.
func shorten[T any](t *testing.T, v *T, to T) {
	old := *v
	*v = to
	t.Cleanup(func() { *v = old })
}

// askAndRead sends a request on c and reads the answer to its end. It is
// for the client's goroutine: it reports a failure with t.Error and
// returns false.
func askAndRead(t *testing.T, c net.Conn) bool {
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Error(err)
		return false
	}
	if got, err := readAll(c); err != nil {
		t.Errorf("answer: %v after %d bytes", err, len(got))
		return false
	}
	return true
}

// readers counts the reactor's readers, asked from another goroutine.
func readers(r *Reactor) int {
	n := make(chan int, 1)
	if r.CallFromGoroutine(func() { n <- len(r.Readers()) }) != nil {
		return -1
	}
	return <-n
}

// A client that talked, read the answer to its end and keeps its socket
// open: the server's descriptor lingers, then is closed after lingerTime,
// and nothing is left registered.
func TestLingerEndsAfterLingerTime(t *testing.T) {
	shorten(t, &lingerTime, 200*time.Millisecond)
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		p := listen(t, r, answerer([]byte("bye")))
		var during int
		var lasted time.Duration
		go func() {
			defer r.Stop()
			c := goDial(t, p.Addr())
			start := time.Now()
			if c == nil || !askAndRead(t, c) {
				return
			}
			// The answer's end of file came with the shutdown: the
			// descriptor is lingering now, until lingerTime.
			during = readers(r)
			for readers(r) > 1 && time.Since(start) < testTimeout {
				time.Sleep(5 * time.Millisecond)
			}
			lasted = time.Since(start)
		}()
		run(t, r)
		if during != 2 {
			t.Errorf("%d readers while lingering, want the port and the lingering descriptor", during)
		}
		if lasted < lingerTime || lasted > lingerTime+2*time.Second {
			t.Errorf("the descriptor lingered %v, want about %v", lasted, lingerTime)
		}
	})
}

// A client that keeps sending after the answer: the lingering descriptor
// drops lingerLimit bytes and then gives up, so that a peer that never
// stops cannot hold it; the client's writes then fail.
func TestLingerGivesUpAfterLingerLimit(t *testing.T) {
	shorten(t, &lingerLimit, 1<<20)
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		p := listen(t, r, answerer([]byte("bye")))
		var sent int
		var werr error
		go func() {
			defer r.Stop()
			c := goDial(t, p.Addr())
			if c == nil || !askAndRead(t, c) {
				return
			}
			chunk := make([]byte, 64<<10)
			for sent < 64<<20 {
				n, err := c.Write(chunk)
				sent += n
				if err != nil {
					werr = err
					return
				}
			}
		}()
		run(t, r)
		t.Logf("cut off after %d bytes: %v", sent, werr)
		if werr == nil || sent > 48<<20 {
			t.Errorf("the client sent %d bytes after the answer (then %v); want it cut off after about %d and the socket buffers", sent, werr, lingerLimit)
		}
	})
}

// Stopping the reactor ends the linger at once: a peer that keeps its
// socket open does not hold the shutdown, and its socket is closed.
func TestLingerEndsWithTheReactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		p := listen(t, r, answerer([]byte("bye")))
		c := dial(t, p.Addr())
		go func() {
			defer r.Stop()
			if !askAndRead(t, c) {
				return
			}
			if n := readers(r); n != 2 {
				t.Errorf("%d readers after the answer, want the port and the lingering descriptor", n)
			}
		}()
		start := time.Now()
		run(t, r)
		if d := time.Since(start); d > lingerTime/2 {
			t.Errorf("Run returned %v after the start, with a lingering descriptor", d)
		}
		// The server's socket is closed: a write meets a reset.
		var err error
		for i := 0; i < 50 && err == nil; i++ {
			_, err = c.Write([]byte("x"))
			time.Sleep(10 * time.Millisecond)
		}
		if err == nil {
			t.Errorf("the server's socket is still open after Run returned")
		}
	})
}

// A client that hangs up on a stream without having written anything has
// nothing whose end needs protecting: it closes at once, and the server
// hears of it (a reset, as its writes meet a closed socket), instead of
// sending on into a lingering descriptor.
func TestSilentClientDoesNotLinger(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		serverErr := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				serverErr <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			chunk := make([]byte, 64<<10)
			for {
				if _, err := c.Write(chunk); err != nil {
					serverErr <- err
					return
				}
			}
		}()
		var lingering int
		cf := &clientFactory{build: func() *recorder {
			return &recorder{
				onData: func(p *recorder, _ []byte) { p.Transport.LoseConnection() },
				onLost: func(*recorder, error) {
					lingering = len(r.Readers())
					r.Stop()
				},
			}
		}}
		r.ConnectTCP(ln.Addr().String(), cf, testTimeout)
		run(t, r)
		if lingering != 0 {
			t.Errorf("%d readers after the client hung up, want none", lingering)
		}
		select {
		case err := <-serverErr:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("the server never heard the client hang up: %v", err)
			}
		case <-time.After(testTimeout + time.Second):
			t.Errorf("the server is still sending")
		}
	})
}
