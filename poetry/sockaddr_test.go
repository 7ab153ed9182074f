package poetry

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"reflect"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAddressSockaddr(t *testing.T) {
	for _, tc := range []struct {
		addr Address
		want unix.Sockaddr
	}{
		{Address{Host: "127.0.0.1", Port: 10000}, &unix.SockaddrInet4{Port: 10000, Addr: [4]byte{127, 0, 0, 1}}},
		{Address{Host: "", Port: 10001}, &unix.SockaddrInet4{Port: 10001, Addr: [4]byte{127, 0, 0, 1}}},
		{Address{Host: "localhost", Port: 10002}, &unix.SockaddrInet4{Port: 10002, Addr: [4]byte{127, 0, 0, 1}}},
		{Address{Host: "::1", Port: 10003}, &unix.SockaddrInet6{Port: 10003, Addr: netip.IPv6Loopback().As16()}},
		{Address{Host: "fe80::1%7", Port: 80}, &unix.SockaddrInet6{Port: 80, Addr: netip.MustParseAddr("fe80::1").As16(), ZoneId: 7}},
	} {
		got, err := tc.addr.Sockaddr()
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v.Sockaddr() = %#v, %v; want %#v", tc.addr, got, err, tc.want)
		}
	}
	var dnsErr *net.DNSError
	if sa, err := (Address{Host: "no-such-host.invalid", Port: 1}).Sockaddr(); !errors.As(err, &dnsErr) {
		t.Errorf("a .invalid host gave %#v, %v; want a *net.DNSError", sa, err)
	}
	if sa, err := (Address{Host: "fe80::1%no-such-interface", Port: 1}).Sockaddr(); err == nil {
		t.Errorf("an unknown zone gave %#v, want an error", sa)
	}
}

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
		{errors.New("something else"), "something else"},
	} {
		if got := Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
