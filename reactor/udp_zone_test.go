package reactor

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// needIPv6 skips the test where the machine has no IPv6 loopback.
func needIPv6(t *testing.T) {
	t.Helper()
	ln, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	ln.Close()
}

// loopbackInterface returns the loopback interface ("lo" on Linux, "lo0"
// on the BSDs and macOS).
func loopbackInterface(t *testing.T) net.Interface {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("cannot list the interfaces: %v", err)
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 && ifi.Flags&net.FlagUp != 0 {
			return ifi
		}
	}
	t.Skip("no loopback interface is up")
	return net.Interface{}
}

// A zone given by interface name, as the port itself names senders'
// zones, is that interface's scope id for Connect and for Write; an
// unknown one is refused, not sent with scope id 0. Both read the zone
// as a number only, so "::1%lo" went out with scope id 0.
func TestUDPZoneByName(t *testing.T) {
	needIPv6(t)
	lo := loopbackInterface(t)
	r, _ := newReactor(t, DefaultBackend())
	port := listenUDPAt(t, r, "[::1]:0", &udpRecorder{})
	want := uint32(lo.Index)
	for _, zone := range []string{lo.Name, strconv.Itoa(lo.Index)} {
		_, zid, err := port.destination(&net.UDPAddr{IP: net.IPv6loopback, Port: 9, Zone: zone})
		if err != nil || zid != want {
			t.Errorf("Write's destination with zone %q: scope id %d, %v; want %d", zone, zid, err, want)
		}
		_, sa, err := port.sockaddr(netip.MustParseAddrPort("[::1%" + zone + "]:9"))
		if err != nil {
			t.Errorf("Connect's address with zone %q: %v", zone, err)
			continue
		}
		if got := sa.(*unix.SockaddrInet6).ZoneId; got != want {
			t.Errorf("Connect's address with zone %q: scope id %d, want %d", zone, got, want)
		}
	}
	bad := &net.UDPAddr{IP: net.ParseIP("fe80::1"), Port: 9, Zone: "no-such-interface"}
	var ae *net.AddrError
	if err := port.Write([]byte("x"), bad); !errors.As(err, &ae) {
		t.Errorf("Write to %v: %v, want a *net.AddrError", bad, err)
	}
	if err := port.Connect(bad.String()); !errors.As(err, &ae) {
		t.Errorf("Connect to %v: %v, want a *net.AddrError", bad, err)
	}
}

// linkLocal returns a link-local IPv6 address of this machine and the
// name of its interface, the loopback's if it has one (the BSDs and
// macOS), else any interface's that is up (Linux's loopback has none).
func linkLocal(t *testing.T) (net.IP, string) {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("cannot list the interfaces: %v", err)
	}
	var ip net.IP
	var name string
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			in, ok := a.(*net.IPNet)
			if !ok || in.IP.To4() != nil || !in.IP.IsLinkLocalUnicast() {
				continue
			}
			if ifi.Flags&net.FlagLoopback != 0 {
				return in.IP, ifi.Name
			}
			if ip == nil {
				ip, name = in.IP, ifi.Name
			}
		}
	}
	if ip == nil {
		t.Skip("no interface has a link-local IPv6 address")
	}
	return ip, name
}

// A link-local peer named with its interface, as the port names the
// senders it hands out, is reached by Connect and by Write, and the
// sender's address the server is given takes its answer back. Connect
// failed (EINVAL: a link-local address needs its scope id) and Write
// sent with scope id 0.
func TestUDPLinkLocalZoneByName(t *testing.T) {
	needIPv6(t)
	ip, ifname := linkLocal(t)
	r, _ := newReactor(t, DefaultBackend())
	var sender *net.UDPAddr
	server := listenUDPAt(t, r, "[::]:0", &udpEcho{write: func(p *udpEcho, data []byte, addr *net.UDPAddr) {
		sender = addr
		if err := p.Transport.Write(data, addr); err != nil {
			t.Errorf("answering %v: %v", addr, err)
		}
	}})
	to := &net.UDPAddr{IP: ip, Port: server.Addr().Port, Zone: ifname}
	unconnected := &udpRecorder{}
	connected := &udpRecorder{}
	connected.onData = func(*udpRecorder, []byte, *net.UDPAddr) {
		if len(unconnected.got) > 0 {
			r.Stop()
		}
	}
	unconnected.onData = func(*udpRecorder, []byte, *net.UDPAddr) {
		if len(connected.got) > 0 {
			r.Stop()
		}
	}
	u := listenUDPAt(t, r, "[::]:0", unconnected)
	c := listenUDPAt(t, r, "[::]:0", connected)
	if err := c.Connect(to.String()); err != nil {
		t.Fatalf("Connect to %v: %v", to, err)
	}
	r.CallWhenRunning(func() {
		if err := u.Write([]byte("written"), to); err != nil {
			t.Errorf("Write to %v: %v", to, err)
		}
		if err := c.Write([]byte("connected"), nil); err != nil {
			t.Errorf("Write on the port connected to %v: %v", to, err)
		}
	})
	r.CallLater(testTimeout, func() { r.Stop() })
	run(t, r)
	if len(unconnected.got) != 1 || len(connected.got) != 1 {
		t.Fatalf("answers: %q to the unconnected port, %q to the connected one", unconnected.got, connected.got)
	}
	if sender == nil || sender.Zone != ifname {
		t.Errorf("the server saw the sender as %v, want zone %q", sender, ifname)
	}
}
