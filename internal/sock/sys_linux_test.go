package sock

import (
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Writev clears its vector afterwards, so the scratch space does not keep
// the caller's buffers alive.
func TestWritevClearsVector(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	var iov Iovecs
	n, err := iov.Writev(p[1], [][]byte{[]byte("x"), nil, []byte("yz")})
	if n != 3 || err != nil {
		t.Fatalf("Writev = %d, %v; want 3, nil", n, err)
	}
	if cap(iov.v) == 0 {
		t.Fatal("Writev kept no vector")
	}
	for _, v := range iov.v[:cap(iov.v)] {
		if v.Base != nil {
			t.Fatal("iovec still points at a buffer")
		}
	}
	buf := make([]byte, 8)
	if n, _ := unix.Read(p[0], buf); string(buf[:n]) != "xyz" {
		t.Errorf("read %q", buf[:n])
	}
}

// AcceptDelay of a connection accepted 30 ms after its handshake is 30 ms,
// give or take the tick the kernel counts in (at most 10 ms: HZ is 100 or
// more), and the machine's scheduling, which only makes the real wait
// longer.
func TestAcceptDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const queued, tick = 30 * time.Millisecond, 10 * time.Millisecond
	time.Sleep(queued)
	ac, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	raw, err := ac.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got time.Duration
	raw.Control(func(fd uintptr) { got = AcceptDelay(int(fd)) })
	if got < queued-tick || got > queued+tick+20*time.Millisecond {
		t.Errorf("AcceptDelay = %v after %v in the queue", got, queued)
	}
}
