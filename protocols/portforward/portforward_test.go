package portforward

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

const testTimeout = 30 * time.Second

// relayed is what a test learns from Factory.Ended.
type relayed struct {
	server, target *Side
	err            error
}

// startRelay runs a reactor with a forwarder to target on a goroutine and
// returns the forwarder's address, the channel Ended reports on, and a
// function that stops the reactor and waits for it.
func startRelay(t *testing.T, backend, target string) (string, chan relayed, func()) {
	t.Helper()
	r, err := reactor.New(reactor.WithBackend(backend))
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan relayed, 4)
	f := &Factory{Reactor: r, Target: target, Ended: func(s, tg *Side, err error) {
		ended <- relayed{s, tg, err}
	}}
	port, err := r.ListenTCP("127.0.0.1:0", f)
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	stop := func() {
		r.CallFromGoroutine(func() { r.Stop() })
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Fatal("reactor still running")
		}
		r.Close()
	}
	return port.Addr().String(), ended, stop
}

// goServer accepts one connection on a plain Go listener and runs serve on
// it.
func goServer(t *testing.T, serve func(c *net.TCPConn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		serve(c.(*net.TCPConn))
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, addr string, rcvbuf int) *net.TCPConn {
	t.Helper()
	d := net.Dialer{Timeout: testTimeout}
	if rcvbuf > 0 {
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
			})
		}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(testTimeout))
	return c.(*net.TCPConn)
}

func waitEnded(t *testing.T, ended chan relayed) relayed {
	t.Helper()
	select {
	case e := <-ended:
		return e
	case <-time.After(testTimeout):
		t.Fatal("the relay never ended")
	}
	return relayed{}
}

// A half-close passes through: the client sends a request and shuts its
// write side; the target reads to end of file, then answers and closes;
// the client gets the whole answer, then end of file. Both sides end
// cleanly.
func TestHalfClosePassesThrough(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			target := goServer(t, func(c *net.TCPConn) {
				req, err := io.ReadAll(c) // to the client's half-close
				if err != nil {
					return
				}
				c.Write(append([]byte("you said: "), req...))
			})
			addr, ended, stop := startRelay(t, backend, target)
			defer stop()
			c := dial(t, addr, 0)
			c.Write([]byte("half a conversation"))
			c.CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil || string(got) != "you said: half a conversation" {
				t.Errorf("got %q, %v", got, err)
			}
			e := waitEnded(t, ended)
			if e.err != nil || e.server.Err() != nil || e.target.Err() != nil {
				t.Errorf("ended with %v / %v / %v", e.err, e.server.Err(), e.target.Err())
			}
		})
	}
}

// 64 MiB from a fast target to a client that reads slowly arrive intact,
// and the relay never holds more than the high water mark plus one read
// toward the client: the target's reads are paused while the client lags.
// Both sides close when the target does.
func TestSlowReaderBoundedBuffer(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) { slowReader(t, backend) })
	}
}

func slowReader(t *testing.T, backend string) {
	size := 64 << 20
	if testing.Short() {
		size = 8 << 20
	}
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	sum := sha256.New()
	for n := 0; n < size; n += len(chunk) {
		sum.Write(chunk)
	}
	want := sum.Sum(nil)
	target := goServer(t, func(c *net.TCPConn) {
		for n := 0; n < size; n += len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	addr, ended, stop := startRelay(t, backend, target)
	defer stop()
	c := dial(t, addr, 16<<10)
	got := sha256.New()
	n := 0
	buf := make([]byte, 16<<10)
	for reads := 0; ; reads++ {
		k, err := c.Read(buf)
		got.Write(buf[:k])
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
		if reads%64 == 0 {
			time.Sleep(time.Millisecond) // a slow reader, not a synchronisation
		}
	}
	if n != size || !bytes.Equal(got.Sum(nil), want) {
		t.Fatalf("got %d bytes (checksum equal: %v), want %d", n, bytes.Equal(got.Sum(nil), want), size)
	}
	// The target's end reached us as end of file, a half-close: the
	// relay stays open for what we might still send, until we close.
	c.Close()
	e := waitEnded(t, ended)
	if e.err != nil || e.server.Err() != nil || e.target.Err() != nil {
		t.Errorf("ended with %v / %v / %v", e.err, e.server.Err(), e.target.Err())
	}
	bound := reactor.DefaultHighWater + reactor.DefaultReadBufferSize
	t.Logf("relayed %d bytes; at most %d bytes buffered toward the client (bound %d)", e.target.Relayed, e.target.MaxPeerBuffered, bound)
	if e.target.MaxPeerBuffered > bound {
		t.Errorf("buffered %d bytes toward the client, over %d", e.target.MaxPeerBuffered, bound)
	}
	if e.target.MaxPeerBuffered < reactor.DefaultLowWater {
		t.Errorf("buffered at most %d bytes: the client was never slow, the test proves nothing", e.target.MaxPeerBuffered)
	}
}

// When the client goes away, the target's connection is closed too; when
// the client resets, the target gets a reset.
func TestEitherSideClosesBoth(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) { eitherSide(t, backend) })
	}
}

func eitherSide(t *testing.T, backend string) {
	for _, abort := range []bool{false, true} {
		targetSaw := make(chan error, 1)
		target := goServer(t, func(c *net.TCPConn) {
			c.Write([]byte("hello"))
			_, err := io.ReadAll(c)
			targetSaw <- err
		})
		addr, ended, stop := startRelay(t, backend, target)
		c := dial(t, addr, 0)
		b := make([]byte, 5)
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatal(err)
		}
		if abort {
			c.SetLinger(0)
		}
		c.Close()
		select {
		case err := <-targetSaw:
			if abort != (err != nil) {
				t.Errorf("abort %v: the target saw %v", abort, err)
			}
		case <-time.After(testTimeout):
			t.Fatal("the target's connection was never closed")
		}
		e := waitEnded(t, ended)
		if abort != (e.server.Err() != nil) {
			t.Errorf("abort %v: the client's side ended with %v", abort, e.server.Err())
		}
		stop()
	}
}

// A target that refuses: the client gets a reset, never a clean empty
// stream, and Ended says why.
func TestTargetRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	ln.Close()
	addr, ended, stop := startRelay(t, reactor.DefaultBackend(), target)
	defer stop()
	// The reset may come before the client's connect has returned.
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err == nil {
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		_, err = io.ReadAll(c)
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client: %v, want a reset", err)
	}
	e := waitEnded(t, ended)
	var ce *reactor.ConnectError
	if !errors.As(e.err, &ce) || e.target != nil {
		t.Errorf("ended with %v, target %v", e.err, e.target)
	}
}
