package poetry

import (
	"fmt"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// stalledClients opens n connections to addr that never read, each with
// a 1 KiB receive buffer, and returns them (closed at the end of the test).
func stalledClients(t *testing.T, n int, addr string) []net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: testTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
		return nil
	}}
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	})
	for range n {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	return conns
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// Clients that never read cost the server next to nothing, whatever the
// size of the poem: the fast server lends its one copy of the poem to
// every connection, and the slow server stops its schedule for a client
// whose socket is full instead of piling the poem up in its buffer.
func TestStalledClientsHoldNoCopyOfThePoem(t *testing.T) {
	const n = 64
	const perClient = 16 << 10
	poem := bigPoem(2 << 20)
	for _, tc := range []struct {
		name string
		make func(r *reactor.Reactor) reactor.Factory
	}{
		{"fast", func(r *reactor.Reactor) reactor.Factory { return NewFastServerFactory(poem) }},
		{"slow", func(r *reactor.Reactor) reactor.Factory {
			return NewSlowServerFactory(r, poem, 64<<10, time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReactor(t, reactor.DefaultBackend())
			var conns []*reactor.Conn
			f := tc.make(r)
			port := listen(t, r, reactor.FactoryFunc(func(a net.Addr) reactor.Protocol {
				return &capture{Protocol: f.BuildProtocol(a), set: func(c *reactor.Conn) {
					// A small send buffer, so that the kernel does not
					// absorb the whole poem and hide the server's own
					// buffering.
					syscall.SetsockoptInt(c.Fd(), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 8192)
					conns = append(conns, c)
				}}
			}))
			before := heapInUse()
			var grown int64
			var buffered int
			go func() {
				stalledClients(t, n, port.Addr().String())
				// Give the slow server a few hundred ticks to pile up
				// what it would pile up.
				time.Sleep(300 * time.Millisecond)
				r.CallFromGoroutine(func() {
					for _, c := range conns {
						buffered += c.Buffered()
					}
					grown = heapInUse() - before
					r.Stop()
				})
			}()
			run(t, r)
			if len(conns) != n {
				t.Fatalf("%d connections, want %d", len(conns), n)
			}
			t.Logf("%d stalled clients: heap grew %d bytes (%d a client); %d bytes waiting in buffers", n, grown, grown/n, buffered)
			if grown > n*perClient {
				t.Errorf("heap grew %s for %d stalled clients: more than %s a client", fmtBytes(grown), n, fmtBytes(perClient))
			}
		})
	}
}

func fmtBytes(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }
