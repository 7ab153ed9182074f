package progtest

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// boundSocket returns a TCP socket bound to a loopback port the system
// picks, and that port; the socket is closed when the test ends.
func boundSocket(t testing.TB) (int, string) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
}

// RefusedAddr returns a loopback address, "127.0.0.1:PORT", that refuses
// connections at once: a socket is bound to it but does not listen, and
// stays bound until the test ends, so that no other test or program can
// take the port meanwhile. Connections from other processes (a program
// under test) are refused too.
func RefusedAddr(t testing.TB) string {
	t.Helper()
	_, port := boundSocket(t)
	return net.JoinHostPort("127.0.0.1", port)
}

// UnansweredAddr returns a loopback address whose listen queue is full,
// so that a further connection attempt gets no answer at all (the kernel
// drops the SYN): the way to make connecting hang on loopback, for
// timeouts. The test is skipped where the queue cannot be filled.
func UnansweredAddr(t testing.TB) string {
	t.Helper()
	fd, port := boundSocket(t)
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	// Connections succeed until the queue is full; the first one that
	// times out shows that it is.
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return addr
			}
			t.Fatalf("filling the listen queue: %v", err)
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("could not fill a listen queue on this system")
	return ""
}

// ServeEach listens on a loopback port the system picks and hands each
// connection it accepts to handle, one after the other, on a goroutine of
// its own: a stand-in server for a client under test. The listener is
// closed when the test ends.
func ServeEach(t testing.TB, handle func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			handle(c)
		}
	}()
	return ln
}
