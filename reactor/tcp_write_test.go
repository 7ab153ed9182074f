package reactor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pairConn makes a Conn over one end of a socket pair with small buffers,
// started with p; the other end is returned for the test to read. The
// reactor is never run: the test calls DoWrite itself.
func pairConn(t *testing.T, r *Reactor, p Protocol) (*Conn, int) {
	t.Helper()
	a, b := socketPair(t)
	unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	unix.SetsockoptInt(b, unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
	c := &Conn{r: r, fd: int32(a)}
	c.start(p)
	return c, b
}

// readSome reads what is there from fd (non-blocking).
func readSome(t *testing.T, fd int) []byte {
	t.Helper()
	s, err := drain(fd)
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return []byte(s)
}

// Write sends what the socket takes at once and buffers the rest; the
// connection is registered for writing only while something is buffered,
// and the buffer is released once drained.
func TestWriteBuffersPartialWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		c, peer := pairConn(t, r, &recorder{})
		if c.flags&fWriting != 0 || c.flags&fReading == 0 {
			t.Fatalf("after start: flags %b", c.flags)
		}
		small := []byte("a small write goes straight out")
		c.Write(small)
		if c.Buffered() != 0 || c.flags&fWriting != 0 || c.extra != nil {
			t.Fatalf("small write buffered: %d", c.Buffered())
		}
		if got := readSome(t, peer); !bytes.Equal(got, small) {
			t.Fatalf("peer got %q", got)
		}
		big := pattern(1 << 20)
		c.Write(big)
		c.Write([]byte("tail"))
		want := append(append([]byte{}, big...), "tail"...)
		if c.Buffered() == 0 || c.flags&fWriting == 0 {
			t.Fatalf("1 MiB not buffered (%d) or writer not registered", c.Buffered())
		}
		if c.Buffered() >= len(want) {
			t.Fatalf("nothing was written at once: %d buffered", c.Buffered())
		}
		var got []byte
		for i := 0; c.Buffered() > 0; i++ {
			if i > 100000 {
				t.Fatal("buffer never drained")
			}
			got = append(got, readSome(t, peer)...)
			if err := c.DoWrite(); err != nil {
				t.Fatal(err)
			}
		}
		got = append(got, readSome(t, peer)...)
		if !bytes.Equal(got, want) {
			t.Fatalf("peer got %d bytes, want %d (equal prefix %v)", len(got), len(want), bytes.HasPrefix(want, got))
		}
		if c.flags&fWriting != 0 || c.extra.wbuf != nil {
			t.Errorf("after draining: writer %v, buffer %v", c.flags&fWriting != 0, c.extra.wbuf != nil)
		}
	})
}

// WriteSequence writes all the slices with one writev when the socket
// takes them, and buffers the rest in order when it does not.
func TestWriteSequence(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), directWrites)
	c, peer := pairConn(t, r, &recorder{})
	c.WriteSequence([][]byte{[]byte("one "), nil, []byte("two "), []byte("three")})
	if c.Buffered() != 0 {
		t.Fatal("small sequence buffered")
	}
	if got := string(readSome(t, peer)); got != "one two three" {
		t.Fatalf("peer got %q", got)
	}
	parts := [][]byte{pattern(300 << 10), []byte("middle"), pattern(200 << 10)}
	var want []byte
	for _, p := range parts {
		want = append(want, p...)
	}
	c.WriteSequence(parts)
	if c.Buffered() == 0 {
		t.Fatal("large sequence not buffered")
	}
	c.WriteSequence([][]byte{[]byte(" and after")})
	want = append(want, " and after"...)
	var got []byte
	for i := 0; c.Buffered() > 0 && i < 100000; i++ {
		got = append(got, readSome(t, peer)...)
		c.DoWrite()
	}
	got = append(got, readSome(t, peer)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("peer got %d bytes, want %d", len(got), len(want))
	}
	// The caller's slices were not modified.
	if len(parts[0]) != 300<<10 || !bytes.Equal(parts[1], []byte("middle")) {
		t.Error("WriteSequence changed its argument")
	}
}

// LoseConnection closes only once everything buffered has been sent; a
// Write just after it still goes out; reading stops at once.
func TestLoseConnectionDrains(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		big := pattern(4 << 20)
		srv := &servers{build: func() *recorder {
			return &recorder{onData: func(p *recorder, b []byte) {
				p.Transport.Write(big)
				p.Transport.LoseConnection()
				p.Transport.Write([]byte("after"))
				if p.conn().flags&fReading != 0 {
					t.Error("still reading after LoseConnection")
				}
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		type result struct {
			b   []byte
			err error
		}
		res := make(chan result, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				res <- result{}
				r.Stop()
				return
			}
			c.Write([]byte("go"))
			b, err := readAll(c)
			res <- result{b, err}
		}()
		run(t, r)
		if err := srv.all[0].lostOnce(t); err != ErrConnectionDone {
			t.Errorf("lost: %v", err)
		}
		select {
		case got := <-res:
			if got.err != nil || !bytes.Equal(got.b, append(big, "after"...)) {
				t.Errorf("client got %d bytes, %v", len(got.b), got.err)
			}
		case <-time.After(testTimeout):
			t.Fatal("client never finished reading")
		}
	})
}

// AbortConnection closes now: the buffer is dropped, the peer is reset,
// and ConnectionLost says ErrConnectionAborted (which is also
// ErrConnectionLost).
func TestAbortConnection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		srv := &servers{build: func() *recorder {
			return &recorder{onData: func(p *recorder, _ []byte) {
				chunk := pattern(1 << 20)
				for i := 0; i < 256 && p.conn().Buffered() == 0; i++ {
					p.Transport.Write(chunk) // until the socket refuses some
				}
				if p.conn().Buffered() == 0 {
					t.Error("nothing buffered")
				}
				p.Transport.AbortConnection()
				if len(p.lost) != 0 {
					t.Error("ConnectionLost ran inside AbortConnection")
				}
				p.Transport.Write([]byte("dropped"))
				p.Transport.AbortConnection()
				p.Transport.LoseConnection()
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		errc := make(chan error, 1)
		go func() {
			c := goDialSmall(t, port.Addr())
			if c == nil {
				errc <- nil
				return
			}
			c.Write([]byte("go"))
			_, err := readAll(c)
			errc <- err
		}()
		run(t, r)
		err := srv.all[0].lostOnce(t)
		if err != ErrConnectionAborted || !errors.Is(err, ErrConnectionLost) {
			t.Errorf("lost: %v", err)
		}
		select {
		case err := <-errc:
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("client read: %v, want a reset", err)
			}
		case <-time.After(testTimeout):
			t.Fatal("client never finished")
		}
	})
}

// halfCloser is a recorder that is a HalfCloseableProtocol.
type halfCloser struct {
	recorder
	readLost  int
	writeLost int
	onRead    func(*halfCloser)
}

func (h *halfCloser) ReadConnectionLost() {
	h.readLost++
	if h.onRead != nil {
		h.onRead(h)
	}
}

func (h *halfCloser) WriteConnectionLost() { h.writeLost++ }

// selector is a half-closer that decides at the end of stream.
type selector struct {
	halfCloser
	accept bool
}

func (s *selector) AcceptsHalfClose() bool { return s.accept }

// A HalfCloseSelector is asked at the peer's end of stream: true, and it
// hears ReadConnectionLost with the connection open for its answer; false,
// and the connection ends as for a protocol that is not half-closeable.
func TestHalfCloseSelector(t *testing.T) {
	for _, accept := range []bool{true, false} {
		r, _ := newReactor(t, DefaultBackend())
		var s *selector
		port := listen(t, r, FactoryFunc(func(net.Addr) Protocol {
			s = &selector{accept: accept}
			s.onRead = func(h *halfCloser) {
				h.Transport.Write([]byte("answer"))
				h.Transport.LoseConnection()
			}
			s.onLost = func(*recorder, error) { r.Stop() }
			return s
		}))
		got := make(chan string, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				got <- ""
				r.CallFromGoroutine(func() { r.Stop() })
				return
			}
			c.Write([]byte("question"))
			c.CloseWrite()
			b, _ := readAll(c)
			got <- string(b)
		}()
		run(t, r)
		want, wantReadLost := "", 0
		if accept {
			want, wantReadLost = "answer", 1
		}
		if g := <-got; g != want || s.readLost != wantReadLost || s.lostOnce(t) != ErrConnectionDone {
			t.Errorf("accept %v: client read %q, ReadConnectionLost %d times, lost %v", accept, g, s.readLost, s.lost)
		}
	}
}

// Half-close both ways: the peer's shutdown(SHUT_WR) reaches a
// HalfCloseableProtocol as ReadConnectionLost and it can still answer;
// LoseWriteConnection sends end of file and goes on reading.
func TestHalfClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		var hs []*halfCloser
		port := listen(t, r, FactoryFunc(func(net.Addr) Protocol {
			h := &halfCloser{}
			h.onRead = func(h *halfCloser) {
				h.Transport.Write([]byte("answer to " + string(h.data)))
				h.Transport.LoseConnection()
			}
			h.onLost = func(*recorder, error) { r.Stop() }
			hs = append(hs, h)
			return h
		}))
		results := make(chan string, 2)
		go func() {
			// First client: question, shut the write side, read the answer.
			c := goDial(t, port.Addr())
			if c == nil {
				r.Stop()
				return
			}
			c.Write([]byte("question"))
			c.CloseWrite()
			b, err := readAll(c)
			if err != nil {
				results <- err.Error()
			}
			results <- string(b)
		}()
		run(t, r)
		if got := <-results; got != "answer to question" {
			t.Errorf("client got %q", got)
		}
		h := hs[0]
		if h.readLost != 1 || h.lostOnce(t) != ErrConnectionDone {
			t.Errorf("readLost %d, lost %v", h.readLost, h.lost)
		}
	})
	t.Run("LoseWriteConnection", func(t *testing.T) {
		r, _ := newReactor(t, DefaultBackend(), directWrites)
		var h *halfCloser
		port := listen(t, r, FactoryFunc(func(net.Addr) Protocol {
			h = &halfCloser{}
			h.onMade = func(p *recorder) {
				p.Transport.Write([]byte("server says hi"))
				p.Transport.(TCPTransport).LoseWriteConnection()
			}
			h.onLost = func(*recorder, error) { r.Stop() }
			return h
		}))
		got := make(chan string, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				r.Stop()
				return
			}
			b, _ := readAll(c) // end of file from the server's shutdown
			got <- string(b)
			c.Write([]byte("client still talks"))
			c.Close()
		}()
		run(t, r)
		if g := <-got; g != "server says hi" {
			t.Errorf("client read %q", g)
		}
		if string(h.data) != "client still talks" || h.writeLost != 1 {
			t.Errorf("server read %q after its shutdown, writeLost %d", h.data, h.writeLost)
		}
		if err := h.lostOnce(t); err != ErrConnectionDone {
			t.Errorf("lost: %v", err)
		}
	})
}

// A write to a peer that has gone away ends the connection with the
// errno (EPIPE or ECONNRESET), reported once, never inside Write.
func TestWriteToClosedPeer(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), directWrites)
	c, peer := pairConn(t, r, &recorder{})
	p := c.proto.(*recorder)
	unix.Close(peer)
	for i := 0; i < 10 && c.flags&fClosed == 0; i++ {
		c.Write([]byte("anyone there?"))
	}
	if len(p.lost) != 0 {
		t.Fatal("ConnectionLost inside Write")
	}
	r.runEndings()
	err := p.lostOnce(t)
	if !errors.Is(err, ErrConnectionLost) || !(errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("lost: %v", err)
	}
	c.Write([]byte("dropped")) // after the end: ignored
	r.runEndings()
	if len(p.lost) != 1 {
		t.Error("lost twice")
	}
}

// writeHalfRecorder is a recorder that counts WriteConnectionLost.
type writeHalfRecorder struct {
	recorder
	writeLost int
}

func (p *writeHalfRecorder) WriteConnectionLost() { p.writeLost++ }

// LoseWriteConnection in ConnectionMade is held until ConnectionMade
// returns: writes after it there are still sent, and a LoseConnection
// there closes the connection without WriteConnectionLost.
// reactortest.StringTransport copies this (its
// TestLoseWriteConnectionHeldInConnectionMade).
func TestLoseWriteConnectionInConnectionMadeIsHeld(t *testing.T) {
	for _, tc := range []struct {
		name      string
		steps     func(tr TCPTransport)
		writeLost int
	}{
		{"write, half-close, write", func(tr TCPTransport) {
			tr.Write([]byte("a"))
			tr.LoseWriteConnection()
			tr.Write([]byte("b"))
		}, 1},
		{"write, half-close, write, close", func(tr TCPTransport) {
			tr.Write([]byte("a"))
			tr.LoseWriteConnection()
			tr.Write([]byte("b"))
			tr.LoseConnection()
		}, 0},
		{"write, close, half-close, write", func(tr TCPTransport) {
			tr.Write([]byte("a"))
			tr.LoseConnection()
			tr.LoseWriteConnection()
			tr.Write([]byte("b"))
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			p := &writeHalfRecorder{}
			p.onMade = func(*recorder) { tc.steps(p.Transport.(TCPTransport)) }
			p.onLost = func(*recorder, error) { r.Stop() }
			port := listen(t, r, FactoryFunc(func(net.Addr) Protocol { return p }))
			read := make(chan string, 1)
			go func() {
				c := goDial(t, port.Addr())
				if c == nil {
					read <- "(reset)"
					return
				}
				defer c.Close()
				b, _ := io.ReadAll(c)
				read <- string(b)
			}()
			run(t, r)
			if got := <-read; got != "ab" || p.writeLost != tc.writeLost {
				t.Errorf("peer read %q, WriteConnectionLost %d; want \"ab\", %d", got, p.writeLost, tc.writeLost)
			}
		})
	}
}
