package wire

import (
	"bytes"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"gyre/reactor"
)

// serve runs a reactor with f listening on a loopback port, and calls
// client with the port's address on another goroutine; the reactor stops
// when client returns.
func serve(tb testing.TB, backend string, f reactor.Factory, client func(addr string)) {
	tb.Helper()
	r, err := reactor.New(reactor.WithBackend(backend))
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	port, err := r.ListenTCP("127.0.0.1:0", f)
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		client(port.Addr().String())
	}()
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		r.CallFromGoroutine(func() { r.Stop() })
		<-done
		tb.Fatal("reactor still running after 30s")
	}
}

// dial connects to addr, with a deadline for the whole test.
func dial(tb testing.TB, addr string) net.Conn {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		tb.Error(err)
		return nil
	}
	c.SetDeadline(time.Now().Add(25 * time.Second))
	return c
}

// roundTrips writes msg and reads it back, n times, on c.
func roundTrips(tb testing.TB, c net.Conn, msg []byte, n int) {
	back := make([]byte, len(msg))
	for range n {
		if _, err := c.Write(msg); err != nil {
			tb.Error(err)
			return
		}
		if _, err := io.ReadFull(c, back); err != nil {
			tb.Error(err)
			return
		}
		if !bytes.Equal(back, msg) {
			tb.Errorf("got %q back, sent %q", back, msg)
			return
		}
	}
}

// linesMessage is 16 lines of 64 bytes (63 and "\n"), as the load
// harness's line workload sends them in one round.
func linesMessage() []byte {
	var b []byte
	for i := range 16 {
		for j := range 63 {
			b = append(b, byte('a'+(i+j)%26))
		}
		b = append(b, '\n')
	}
	return b
}

func TestOverSockets(t *testing.T) {
	kib := bytes.Repeat([]byte("0123456789abcdef"), 64)
	for _, backend := range reactor.Backends() {
		t.Run(backend+"/echo", func(t *testing.T) {
			serve(t, backend, EchoFactory{}, func(addr string) {
				if c := dial(t, addr); c != nil {
					defer c.Close()
					roundTrips(t, c, kib, 200)
				}
			})
		})
		t.Run(backend+"/lines", func(t *testing.T) {
			serve(t, backend, &LineEchoFactory{}, func(addr string) {
				if c := dial(t, addr); c != nil {
					defer c.Close()
					roundTrips(t, c, linesMessage(), 200)
				}
			})
		})
	}
}

// A client that writes far more than it reads: the echo server stops
// reading when its buffer is full, and everything still comes back, in
// order, once the client reads.
func TestEchoToAClientThatDoesNotRead(t *testing.T) {
	const total = 16 << 20
	serve(t, reactor.DefaultBackend(), EchoFactory{}, func(addr string) {
		c := dial(t, addr)
		if c == nil {
			return
		}
		defer c.Close()
		sent := make([]byte, total)
		for i := range sent {
			sent[i] = byte(i % 251)
		}
		go c.Write(sent) // blocks until the client below reads
		got := make([]byte, total)
		if _, err := io.ReadFull(c, got); err != nil {
			t.Error(err)
			return
		}
		if !bytes.Equal(got, sent) {
			t.Error("the echoed stream differs from the one sent")
		}
	})
}

// watched wraps an Echo and records the most output its connection ever
// held unsent after a read.
type watched struct {
	Echo
	most *int
}

func (w *watched) DataReceived(data []byte) {
	w.Echo.DataReceived(data)
	if b, ok := w.Transport.(backlogger); ok {
		*w.most = max(*w.most, b.Buffered())
	}
}

// A client that writes and does not read: the server's buffer for it
// stays within its high water mark and one read, however much the client
// tries to send. The client reads only once its writes have stopped
// getting anywhere (or all went through, which a server without flow
// control lets happen).
func TestEchoBufferStaysBounded(t *testing.T) {
	const total = 64 << 20
	most := 0
	f := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &watched{most: &most} })
	serve(t, reactor.DefaultBackend(), f, func(addr string) {
		c := dial(t, addr)
		if c == nil {
			return
		}
		defer c.Close()
		var written atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			chunk := make([]byte, 64<<10)
			for written.Load() < total {
				n, err := c.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		}()
		// Wait until the writer is stuck (no progress for 300 ms) or done.
		for last := int64(-1); ; {
			select {
			case <-done:
			case <-time.After(300 * time.Millisecond):
				if w := written.Load(); w != last {
					last = w
					continue
				}
			}
			break
		}
		if _, err := io.CopyN(io.Discard, c, total); err != nil {
			t.Error(err)
		}
	})
	// The high water mark (64 KiB) is checked after a write; one more
	// read (the reactor's 64 KiB buffer) may land on top of it.
	if limit := reactor.DefaultHighWater + 64<<10; most > limit {
		t.Errorf("the server held %d bytes for a client that did not read, want at most %d", most, limit)
	}
	t.Logf("most held: %d bytes", most)
}
