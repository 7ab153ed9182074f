package poetry

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// halfCloseFetch connects to addr, shuts its sending side at once (as
// `nc -N` does) and reads until the server ends the connection.
func halfCloseFetch(addr string) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return nil, err
	}
	return io.ReadAll(c)
}

// A client that shuts its write side still gets the whole poem, and the
// server records it as done, from every server: in memory (larger than
// the socket takes at once), streamed from a file (sendfile and not), and
// slow.
func TestHalfClosedClientGetsWholePoem(t *testing.T) {
	big := bigPoem(8 << 20)
	short := bigPoem(3000)
	for _, tc := range []struct {
		name string
		poem []byte
		make func(r *reactor.Reactor, o ServerOption) reactor.Factory
	}{
		{"fast", big, func(r *reactor.Reactor, o ServerOption) reactor.Factory { return NewFastServerFactory(big, o) }},
		{"sendfile", big, func(r *reactor.Reactor, o ServerOption) reactor.Factory {
			f, err := NewFileServerFactory(poemFile(t, big), o)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}},
		{"file-read", big, func(r *reactor.Reactor, o ServerOption) reactor.Factory {
			f, err := NewFileServerFactory(poemFile(t, big), o, WithoutSendfile())
			if err != nil {
				t.Fatal(err)
			}
			return f
		}},
		{"slow", short, func(r *reactor.Reactor, o ServerOption) reactor.Factory {
			return NewSlowServerFactory(r, short, 100, time.Millisecond, o)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReactor(t, reactor.DefaultBackend())
			var rec Served
			port := listen(t, r, tc.make(r, WithServeObserver(func(s Served) { rec = s; r.Stop() })))
			type result struct {
				got []byte
				err error
			}
			res := make(chan result, 1)
			go func() {
				got, err := halfCloseFetch(port.Addr().String())
				res <- result{got, err}
			}()
			run(t, r)
			out := <-res // the client reads the rest of what the socket holds
			got, err := out.got, out.err
			if err != nil || !bytes.Equal(got, tc.poem) {
				t.Fatalf("half-closed client got %d of %d bytes (%v)", len(got), len(tc.poem), err)
			}
			if rec.Err != nil || rec.Bytes != int64(len(tc.poem)) {
				t.Fatalf("server recorded %s, %d bytes", rec.Outcome(), rec.Bytes)
			}
		})
	}
}

// A poem file that shrinks after the server started is not passed off as
// the whole poem: the client's connection is reset, and the record says
// why.
func TestShrunkPoemFileResets(t *testing.T) {
	poem := bigPoem(4 << 20)
	for _, noSendfile := range []bool{false, true} {
		name := "sendfile"
		if noSendfile {
			name = "read"
		}
		t.Run(name, func(t *testing.T) {
			r := newReactor(t, reactor.DefaultBackend())
			file := poemFile(t, poem)
			var rec Served
			opts := []ServerOption{WithServeObserver(func(s Served) { rec = s; r.Stop() })}
			if noSendfile {
				opts = append(opts, WithoutSendfile())
			}
			f, err := NewFileServerFactory(file, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(file.Name(), 1<<20); err != nil {
				t.Fatal(err)
			}
			port := listen(t, r, f)
			done := make(chan struct{})
			var got []byte
			var ferr error
			go func() {
				defer close(done)
				got, ferr = fetch(port.Addr().String())
			}()
			run(t, r)
			<-done
			if ferr == nil {
				t.Fatalf("client got %d bytes and a clean end: a cut poem passed for whole", len(got))
			}
			if !errors.Is(ferr, syscall.ECONNRESET) {
				t.Errorf("client error %v, want a reset", ferr)
			}
			var se *ShortFileError
			if !errors.As(rec.Err, &se) || se.Sent != 1<<20 || se.Size != int64(len(poem)) {
				t.Errorf("server recorded %s", rec.Outcome())
			}
		})
	}
}
