package poetrytest

import (
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// dialMapped connects to the loopback IPv4 port through an IPv6 socket
// (::ffff:127.0.0.1), as a dual-stack client does: the kernel lists its
// end in /proc/net/tcp6, the server's in /proc/net/tcp.
func dialMapped(t *testing.T, port int) net.Conn {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no IPv6 socket here: %v", err)
	}
	f := os.NewFile(uintptr(fd), "mapped")
	defer f.Close() // FileConn has its own copy
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
		t.Skip(err)
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: [16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}}
	if err := unix.Connect(fd, sa); err != nil {
		t.Skipf("no IPv4-mapped connect here: %v", err)
	}
	c, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitRead waits for a client whose socket is an IPv6 one as well: it
// looked in /proc/net/tcp alone, found no client end there, and returned
// at once, as for a client gone, so the resetting server reset a client
// that had not read yet.
func TestWaitReadSeesAnIPv6Client(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client := dialMapped(t, ln.Addr().(*net.TCPAddr).Port)
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if _, err := server.Write([]byte("The first line")); err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{})
	go func() {
		waitRead(server, nil)
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatalf("waitRead returned before the client (%v) read anything", client.LocalAddr())
	case <-time.After(300 * time.Millisecond):
	}
	buf := make([]byte, 64)
	if n, err := client.Read(buf); err != nil || n != len("The first line") {
		t.Fatalf("the client read %d bytes, %v", n, err)
	}
	select {
	case <-returned:
	case <-time.After(readWait / 2):
		t.Fatal("waitRead still waiting once the client had read")
	}
}
