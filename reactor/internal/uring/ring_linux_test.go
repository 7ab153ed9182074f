package uring

import (
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newRing makes a ring, or skips where the kernel refuses one (a container
// whose seccomp filter blocks io_uring, io_uring_disabled set).
func newRing(t *testing.T, entries uint32) *Ring {
	t.Helper()
	r, err := New(entries)
	if errors.Is(err, ErrUnsupported) {
		t.Skipf("no io_uring here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func socketPair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// submit submits and returns every completion, by tag.
func submit(t *testing.T, r *Ring) map[uint64]int32 {
	t.Helper()
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]int32{}
	for {
		tag, res, ok := r.Next()
		if !ok {
			return got
		}
		got[tag] = res
	}
}

func TestSendAndRecv(t *testing.T) {
	r := newRing(t, 8)
	a, b := socketPair(t)
	c, d := socketPair(t)
	if !r.PrepSend(a, []byte("hello"), unix.MSG_DONTWAIT, 1) || !r.PrepSend(c, []byte("world!"), unix.MSG_DONTWAIT, 2) {
		t.Fatal("an empty ring refused an entry")
	}
	got := submit(t, r)
	if got[1] != 5 || got[2] != 6 || len(got) != 2 {
		t.Fatalf("send completions %v, want 1:5 2:6", got)
	}
	buf1, buf2 := make([]byte, 16), make([]byte, 16)
	r.PrepRecv(b, buf1, unix.MSG_DONTWAIT, 3)
	r.PrepRecv(d, buf2, unix.MSG_DONTWAIT, 4)
	got = submit(t, r)
	if string(buf1[:got[3]]) != "hello" || string(buf2[:got[4]]) != "world!" {
		t.Fatalf("received %q and %q", buf1[:max(got[3], 0)], buf2[:max(got[4], 0)])
	}
	// Nothing more to read: a non-blocking receive completes at once
	// with EAGAIN instead of waiting.
	r.PrepRecv(b, buf1, unix.MSG_DONTWAIT, 5)
	if got = submit(t, r); got[5] != -int32(unix.EAGAIN) {
		t.Fatalf("receive on an empty socket: %d, want -EAGAIN", got[5])
	}
}

// A full socket takes part of a send, then nothing: the ring reports a
// short count and then EAGAIN, never waits.
func TestSendToFullSocket(t *testing.T) {
	r := newRing(t, 4)
	a, _ := socketPair(t)
	chunk := make([]byte, 1<<20)
	var total int
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("the socket never filled")
		}
		r.PrepSend(a, chunk, unix.MSG_DONTWAIT, 7)
		res := submit(t, r)[7]
		if res == -int32(unix.EAGAIN) {
			break
		}
		if res <= 0 {
			t.Fatalf("send result %d", res)
		}
		total += int(res)
	}
	if total == 0 {
		t.Fatal("nothing was sent before EAGAIN")
	}
}

func TestBadDescriptor(t *testing.T) {
	r := newRing(t, 4)
	a, _ := socketPair(t)
	r.PrepSend(a, []byte("x"), unix.MSG_DONTWAIT, 1)
	r.PrepSend(1<<20, []byte("x"), unix.MSG_DONTWAIT, 2)
	got := submit(t, r)
	if got[1] != 1 || got[2] != -int32(unix.EBADF) {
		t.Fatalf("completions %v, want the good send done and the bad one EBADF", got)
	}
}

func TestSpace(t *testing.T) {
	r := newRing(t, 4)
	a, _ := socketPair(t)
	n := r.Space()
	if n < 4 {
		t.Fatalf("Space %d, want at least the 4 asked for", n)
	}
	for i := range n {
		if !r.PrepSend(a, []byte("x"), unix.MSG_DONTWAIT, uint64(i)) {
			t.Fatalf("entry %d of %d refused", i, n)
		}
	}
	if r.PrepSend(a, []byte("x"), unix.MSG_DONTWAIT, 99) {
		t.Fatal("a full ring took one more entry")
	}
	if got := submit(t, r); len(got) != n {
		t.Fatalf("%d completions, want %d", len(got), n)
	}
	if r.Space() != n {
		t.Fatalf("Space %d after reading every completion, want %d", r.Space(), n)
	}
}

// Many rounds through a small ring: the rings wrap, and nothing allocates.
func TestWrapAndNoAllocation(t *testing.T) {
	r := newRing(t, 4)
	a, b := socketPair(t)
	msg, buf := []byte("ping"), make([]byte, 8)
	allocs := testing.AllocsPerRun(200, func() {
		r.PrepSend(a, msg, unix.MSG_DONTWAIT, 1)
		r.Submit()
		for _, _, ok := r.Next(); ok; _, _, ok = r.Next() {
		}
		r.PrepRecv(b, buf, unix.MSG_DONTWAIT, 2)
		r.Submit()
		_, res, _ := r.Next()
		if res != 4 {
			t.Fatalf("received %d bytes, want 4", res)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per round, want 0", allocs)
	}
}

// tcpPair returns the two ends of a TCP connection on loopback, as
// non-blocking descriptors.
func tcpPair(t *testing.T) (int, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	fd := func(c net.Conn) int {
		f, err := c.(*net.TCPConn).File() // a duplicate, blocking
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		n := int(f.Fd())
		unix.SetNonblock(n, true)
		t.Cleanup(func() { f.Close() })
		return n
	}
	return fd(s), fd(c)
}

// A send, then (linked) a discard of the unread input, then (hard-linked)
// a close: the peer gets the bytes and the end of the stream, not a reset,
// even though input was waiting unread. The discard copies nothing: it is
// given no buffer.
func TestSendDiscardClose(t *testing.T) {
	r := newRing(t, 8)
	a, b := tcpPair(t)
	unix.Write(b, make([]byte, 100<<10)) // input a never reads
	time.Sleep(10 * time.Millisecond)
	r.PrepSend(a, []byte("poem"), unix.MSG_DONTWAIT|unix.MSG_WAITALL, 1)
	r.Link(false)
	r.PrepDiscard(a, 16<<20, 2)
	r.Link(true)
	r.PrepClose(a, 3)
	got := submit(t, r)
	if got[1] != 4 || got[2] != 100<<10 || got[3] != 0 {
		t.Fatalf("completions %v: want the send whole, the 100 KiB of input dropped, the close done", got)
	}
	unix.SetNonblock(b, false)
	buf := make([]byte, 16)
	n, _ := unix.Read(b, buf)
	if string(buf[:n]) != "poem" {
		t.Fatalf("peer read %q", buf[:n])
	}
	if n, err := unix.Read(b, buf); n != 0 || err != nil {
		t.Fatalf("after the poem: %d, %v; want end of file", n, err)
	}
}

// A send the socket takes only part of breaks the chain when it asks for
// all (MSG_WAITALL; without it a short send counts as success): the
// discard and the close are cancelled, the descriptor stays open, and the
// send still does not wait for room.
func TestShortSendCancelsClose(t *testing.T) {
	if probe := newRing(t, 8); !probe.ShortSendBreaksLink() {
		t.Skip("this kernel counts a short send as a success: the reactor links no close after a send here (TestShortSendBreaksLinkAgrees checks that answer)")
	}
	r := newRing(t, 8)
	a, _ := socketPair(t)
	unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	r.PrepSend(a, make([]byte, 4<<20), unix.MSG_DONTWAIT|unix.MSG_WAITALL, 1)
	r.Link(false)
	r.PrepDiscard(a, 16<<20, 2)
	r.Link(true)
	r.PrepClose(a, 3)
	got := submit(t, r)
	if got[1] <= 0 || got[1] >= 4<<20 || got[2] != -int32(unix.ECANCELED) || got[3] != -int32(unix.ECANCELED) {
		t.Fatalf("completions %v: want a short send, then the rest cancelled", got)
	}
	if _, err := unix.FcntlInt(uintptr(a), unix.F_GETFD, 0); err != nil {
		t.Fatalf("the descriptor was closed: %v", err)
	}
}

// The probe's answer is what the kernel does: a send larger than the
// socket takes, linked to a no-op, on a fresh ring.
func TestShortSendBreaksLinkAgrees(t *testing.T) {
	probe := newRing(t, 8).ShortSendBreaksLink()
	r := newRing(t, 8)
	a, _ := socketPair(t)
	unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	r.PrepSend(a, make([]byte, 4<<20), unix.MSG_DONTWAIT|unix.MSG_WAITALL, 1)
	r.Link(false)
	r.prepNop(2)
	got := submit(t, r)
	if got[1] <= 0 || got[1] >= 4<<20 {
		t.Fatalf("send completed with %d: want a short send", got[1])
	}
	if observed := got[2] == -int32(unix.ECANCELED); observed != probe {
		t.Fatalf("ShortSendBreaksLink says %v, the kernel cancelled the link: %v", probe, observed)
	}
	if r.ShortSendBreaksLink() != probe {
		t.Error("a second probe on a used ring answers differently")
	}
}

func TestLinkBroken(t *testing.T) {
	cancelled := -int32(unix.ECANCELED)
	for _, c := range []struct {
		sent, nop int32
		want      bool
	}{
		{8192, cancelled, true},                 // a short send broke the link
		{8192, 0, false},                        // a short send counted as done: the no-op ran
		{probeSend, 0, false},                   // the socket took everything: no answer
		{-int32(unix.EAGAIN), cancelled, false}, // the send failed: no answer
		{0, cancelled, false},
	} {
		if got := linkBroken(c.sent, c.nop, probeSend); got != c.want {
			t.Errorf("linkBroken(%d, %d) = %v, want %v", c.sent, c.nop, got, c.want)
		}
	}
}

// New refuses a kernel whose io_uring lacks an operation a Ring queues
// (5.1 to 5.5: no send, no receive), rather than fail every request.
func TestOpProbeSupports(t *testing.T) {
	var p opProbe
	p.opsLen = opRecv + 1
	for _, op := range neededOps {
		p.ops[op].flags = opSupported
	}
	if !p.supports(neededOps[:]...) {
		t.Error("a kernel with every operation refused")
	}
	old := p
	old.opsLen = opSend // 5.5: the list ends before send
	if old.supports(neededOps[:]...) {
		t.Error("a kernel without send accepted")
	}
	off := p
	off.ops[opClose].flags = 0 // listed, not supported
	if off.supports(neededOps[:]...) {
		t.Error("a kernel without close accepted")
	}
	if err := checkOps(newRing(t, 4).fd); err != nil {
		t.Errorf("this kernel's probe: %v", err)
	}
}
