package sock

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// loopbackInterface returns the name and index of the loopback interface
// ("lo" on Linux, "lo0" on BSD), or skips the test.
func loopbackInterface(t *testing.T) (string, int) {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("no interface list: %v", err)
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			return ifi.Name, ifi.Index
		}
	}
	t.Skip("no loopback interface")
	return "", 0
}

func TestSockaddr(t *testing.T) {
	lo, loIndex := loopbackInterface(t)
	for _, tc := range []struct {
		ip   string
		port int
		want unix.Sockaddr
	}{
		{"127.0.0.1", 10000, &unix.SockaddrInet4{Port: 10000, Addr: [4]byte{127, 0, 0, 1}}},
		{"0.0.0.0", 0, &unix.SockaddrInet4{}},
		{"::ffff:10.1.2.3", 65535, &unix.SockaddrInet4{Port: 65535, Addr: [4]byte{10, 1, 2, 3}}},
		{"::1", 10001, &unix.SockaddrInet6{Port: 10001, Addr: netip.IPv6Loopback().As16()}},
		{"fe80::1%" + lo, 80, &unix.SockaddrInet6{Port: 80, Addr: netip.MustParseAddr("fe80::1").As16(), ZoneId: uint32(loIndex)}},
		{"fe80::1%4242", 80, &unix.SockaddrInet6{Port: 80, Addr: netip.MustParseAddr("fe80::1").As16(), ZoneId: 4242}},
	} {
		got, err := Sockaddr(netip.MustParseAddr(tc.ip), tc.port)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Sockaddr(%s, %d) = %#v, %v; want %#v", tc.ip, tc.port, got, err, tc.want)
		}
		// And back: the kernel's form gives the address again, mapped
		// IPv4 as plain IPv4, the scope id as the zone it was.
		want := netip.AddrPortFrom(netip.MustParseAddr(tc.ip).Unmap(), uint16(tc.port)).String()
		if back := TCPAddr(got); back == nil || back.String() != want {
			t.Errorf("TCPAddr(Sockaddr(%s, %d)) = %v, want %s", tc.ip, tc.port, back, want)
		}
	}
	for _, tc := range []struct {
		ip   netip.Addr
		port int
	}{
		{netip.Addr{}, 80},
		{netip.MustParseAddr("127.0.0.1"), -1},
		{netip.MustParseAddr("127.0.0.1"), 65536},
		{netip.MustParseAddr("fe80::1%no-such-interface"), 80},
	} {
		if sa, err := Sockaddr(tc.ip, tc.port); err == nil {
			t.Errorf("Sockaddr(%v, %d) = %#v, want an error", tc.ip, tc.port, sa)
		}
	}
}

func TestTCPAddr(t *testing.T) {
	if a := TCPAddr(&unix.SockaddrUnix{Name: "/tmp/x"}); a != nil {
		t.Errorf("a Unix socket address gave %v, want nil", a)
	}
	a := TCPAddr(&unix.SockaddrInet4{Port: 54626, Addr: [4]byte{127, 0, 0, 1}})
	if a == nil || a.String() != "127.0.0.1:54626" {
		t.Errorf("got %v, want 127.0.0.1:54626", a)
	}
}

func TestResolveHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for host, want := range map[string]string{
		"127.0.0.1":    "127.0.0.1",
		"::1":          "::1",
		"fe80::1%4242": "fe80::1%4242",
		"localhost":    "127.0.0.1", // IPv4 first, wherever ::1 is in the answer
	} {
		if got, err := ResolveHost(ctx, host); err != nil || got.String() != want {
			t.Errorf("ResolveHost(%q) = %v, %v; want %s", host, got, err, want)
		}
	}
	var dnsErr *net.DNSError
	if ip, err := ResolveHost(ctx, "no-such-host.invalid"); !errors.As(err, &dnsErr) {
		t.Errorf("ResolveHost of a .invalid name = %v, %v; want a *net.DNSError", ip, err)
	}
	if ip, err := ResolveHost(ctx, ""); err == nil {
		t.Errorf(`ResolveHost("") = %v, want an error`, ip)
	}
}

func TestUnixAddr(t *testing.T) {
	sa, err := UnixSockaddr("/run/gyre.sock")
	if err != nil {
		t.Fatal(err)
	}
	if a := UnixAddr(sa, "unix"); a == nil || a.Name != "/run/gyre.sock" || a.Network() != "unix" {
		t.Errorf("UnixAddr(UnixSockaddr) = %v", a)
	}
	if a := UnixAddr(&unix.SockaddrInet4{}, "unix"); a != nil {
		t.Errorf("UnixAddr of an IPv4 address = %v, want nil", a)
	}
	if _, err := UnixSockaddr(string(make([]byte, 200))); err == nil {
		t.Error("UnixSockaddr took a path longer than sockaddr_un")
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		host string
		port int
		want unix.Sockaddr
	}{
		{"127.0.0.1", 10000, &unix.SockaddrInet4{Port: 10000, Addr: [4]byte{127, 0, 0, 1}}},
		{"", 10001, &unix.SockaddrInet4{Port: 10001, Addr: [4]byte{127, 0, 0, 1}}}, // this machine
		{"localhost", 10002, &unix.SockaddrInet4{Port: 10002, Addr: [4]byte{127, 0, 0, 1}}},
		{"::1", 10003, &unix.SockaddrInet6{Port: 10003, Addr: netip.IPv6Loopback().As16()}},
		{"fe80::1%7", 80, &unix.SockaddrInet6{Port: 80, Addr: netip.MustParseAddr("fe80::1").As16(), ZoneId: 7}},
	} {
		got, err := Resolve(tc.host, tc.port)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Resolve(%q, %d) = %#v, %v; want %#v", tc.host, tc.port, got, err, tc.want)
		}
	}
	var dnsErr *net.DNSError
	if sa, err := Resolve("no-such-host.invalid", 1); !errors.As(err, &dnsErr) {
		t.Errorf("a .invalid host gave %#v, %v; want a *net.DNSError", sa, err)
	}
	if sa, err := Resolve("fe80::1%no-such-interface", 1); err == nil {
		t.Errorf("an unknown zone gave %#v, want an error", sa)
	}
}
