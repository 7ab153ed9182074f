package poetry

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestSocketTuple(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54626}, "('127.0.0.1', 54626)"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 54626}, "('::1', 54626, 0, 0)"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 80, Zone: "4242"}, "('fe80::1%4242', 80, 0, 4242)"},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, "/tmp/s"},
		{nil, "None"},
	} {
		if got := SocketTuple(tc.addr); got != tc.want {
			t.Errorf("SocketTuple(%v) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

func TestReason(t *testing.T) {
	_, statErr := os.Stat("/no/such/file")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{&net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}, "address already in use"},
		{statErr, "no such file or directory"},
		{&os.PathError{Op: "open", Path: "x", Err: errors.New("not a poem")}, "not a poem"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nowhere"}}, "no such host"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "missing port in address", Addr: "x"}}, "missing port in address"},
		{&net.OpError{Op: "accept", Net: "tcp", Err: net.ErrClosed}, "connection closed"},
		{errors.New("something else"), "something else"},
	} {
		if got := Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
