package reactor

import (
	"fmt"
	"net"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The TCP benchmarks: what a fast poetry server costs per connection, the
// read path, and the write fast path.

// fastPoem is the size of the tutorial's fast poems (Ecstasy is 3003
// bytes).
var fastPoem = pattern(3003)

type fastServer struct{ t Transport }

func (p *fastServer) MakeConnection(t Transport) { p.t = t }
func (p *fastServer) ConnectionMade() {
	p.t.Write(fastPoem)
	p.t.LoseConnection()
}
func (p *fastServer) DataReceived([]byte)  {}
func (p *fastServer) ConnectionLost(error) {}

// rawFetch connects with blocking system calls, sends req (if any) and
// reads to the end: a client that costs the benchmark as little as
// possible.
func rawFetch(port int, req, buf []byte) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return 0, err
	}
	if len(req) > 0 {
		if _, err := unix.Write(fd, req); err != nil {
			return 0, err
		}
	}
	total := 0
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			return total, err
		}
		total += n
	}
}

// benchFetches runs r while a client on another goroutine makes b.N
// connections to port in turn with rawFetch, each to read want bytes, and
// stops r when it is done. It fails b if a connection reads anything else.
func benchFetches(b *testing.B, r *Reactor, port net.Addr, req []byte, want int) {
	pn := port.(*net.TCPAddr).Port
	errc := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		buf := make([]byte, 8192)
		for range b.N {
			if n, err := rawFetch(pn, req, buf); err != nil || n != want {
				errc <- fmt.Errorf("read %d of %d bytes: %v", n, want, err)
				return
			}
		}
		errc <- nil
	}()
	if err := r.Run(); err != nil {
		b.Fatal(err)
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAcceptWriteClose: one op is one connection served by a fast
// server (accept4, a 3 KB write, close) to a client on another goroutine
// (socket, connect, reads, close), one connection at a time. allocs/op is
// the server's plus one for the client's connect address.
func BenchmarkAcceptWriteClose(b *testing.B) {
	for _, backend := range Backends() {
		b.Run(backend, func(b *testing.B) {
			r, _ := newReactor(b, backend)
			port := listen(b, r, FactoryFunc(func(net.Addr) Protocol { return &fastServer{} }))
			benchFetches(b, r, port.Addr(), nil, len(fastPoem))
		})
	}
}

// BenchmarkAskAnswerClose: one op is one connection whose client sends a
// line and reads a 3 KB answer to its end, the server answering at the
// line and closing with LoseConnection. The client has talked, so the
// close lingers (linger.go): shutdown, a registration, the client's end
// of file read, close. Set against BenchmarkAcceptWriteClose, it is the
// price of the lingering close (and of the request's read).
func BenchmarkAskAnswerClose(b *testing.B) {
	for _, backend := range Backends() {
		b.Run(backend, func(b *testing.B) {
			r, _ := newReactor(b, backend)
			port := listen(b, r, answerer(fastPoem))
			benchFetches(b, r, port.Addr(), []byte("poem please\n"), len(fastPoem))
		})
	}
}

type discard struct{ BaseProtocol }

// BenchmarkDataReceived: one op is a 512-byte write into the peer of a
// socket pair, then the connection's DoRead: one read(2) into the shared
// buffer and the DataReceived call. It allocates nothing.
func BenchmarkDataReceived(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend())
	a, peer := socketPair(b)
	c := &Conn{r: r, fd: int32(a)}
	c.start(&discard{})
	msg := make([]byte, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		unix.Write(peer, msg)
		if err := c.DoRead(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite: one op is a 64-byte Write on a connection whose socket
// takes it at once (a goroutine drains the other end): one write(2), no
// buffering, no allocation.
func BenchmarkWrite(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend())
	a, peer := socketPair(b)
	unix.SetNonblock(peer, false)
	unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
	c := &Conn{r: r, fd: int32(a)}
	c.start(&discard{})
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if n, err := unix.Read(peer, buf); n <= 0 || err != nil {
				return
			}
		}
	}()
	msg := make([]byte, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		c.Write(msg)
		if c.Buffered() > 1<<20 {
			for c.Buffered() > 0 {
				runtime.Gosched()
				c.DoWrite()
			}
		}
	}
	b.StopTimer()
	c.AbortConnection()
}

// TestConnIsSmall keeps the connection struct to one 64-byte allocation
// on 64-bit systems: ten thousand slow clients are ten thousand of them.
func TestConnIsSmall(t *testing.T) {
	if sz := unsafe.Sizeof(Conn{}); sz > 64 {
		t.Errorf("Conn is %d bytes, want at most 64", sz)
	}
}

// TestAcceptPathAllocations: serving a fast connection allocates the Conn,
// the protocol, the peer address handed to BuildProtocol, and nothing else.
func TestAcceptPathAllocations(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	port := listen(t, r, FactoryFunc(func(net.Addr) Protocol { return &fastServer{} }))
	pn := port.Addr().(*net.TCPAddr).Port
	const n = 200
	var before, after runtime.MemStats
	done := make(chan error, 1)
	// The client is on another goroutine and allocates one sockaddr per
	// connection; everything else counted is the loop's.
	go func() {
		buf := make([]byte, 8192)
		for range 20 { // warm up
			rawFetch(pn, nil, buf)
		}
		r.CallFromGoroutine(func() { runtime.ReadMemStats(&before) })
		for range n {
			if _, err := rawFetch(pn, nil, buf); err != nil {
				done <- err
				return
			}
		}
		r.CallFromGoroutine(func() { runtime.ReadMemStats(&after); r.Stop() })
		done <- nil
	}()
	run(t, r)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	perConn := float64(after.Mallocs-before.Mallocs) / n
	// 3 on the server (Conn, protocol, address) and 1 for the client's
	// sockaddr; a little slack for the runtime.
	if perConn > 4.5 {
		t.Errorf("%.1f allocations per connection, want at most 4", perConn)
	}
	t.Logf("%.2f allocations per connection (client included)", perConn)
}

// TestFdSlotIsSmall keeps a descriptor table entry to 40 bytes on 64-bit
// systems: one per connection.
func TestFdSlotIsSmall(t *testing.T) {
	if sz := unsafe.Sizeof(fdSlot{}); sz > 40 {
		t.Errorf("fdSlot is %d bytes, want at most 40", sz)
	}
}

// The descriptor table grows by chunks that never move: ten thousand
// descriptors take at most one chunk of slack, and growing allocates only
// the new chunks (a flat slice would copy itself each time, garbage that
// raises the heap's high-water mark during a burst of connects).
func TestFdTableGrowth(t *testing.T) {
	var tbl slotTable
	first := tbl.grow(3)
	first.round = 7
	for fd := range 10_050 {
		tbl.grow(fd)
	}
	if n := tbl.size(); n < 10_050 || n >= 10_050+slotChunk {
		t.Errorf("%d slots for 10,050 descriptors, want fewer than %d", n, 10_050+slotChunk)
	}
	if tbl.lookup(3) != first || first.round != 7 {
		t.Error("growing the table moved a slot")
	}
	if tbl.lookup(10_050+slotChunk) != nil {
		t.Error("lookup beyond the table found a slot")
	}
	// One chunk per 256 fds, and the chunk list's own few appends.
	allocs := testing.AllocsPerRun(3, func() {
		var tbl slotTable
		for fd := range 10_050 {
			tbl.grow(fd)
		}
	})
	if limit := float64(10_050/slotChunk + 12); allocs > limit {
		t.Errorf("growing to 10,050 slots took %.0f allocations, want at most %.0f", allocs, limit)
	}
}
