package reactor

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// sockAddr is an IPv4 or IPv6 socket address kept by value, 24 bytes: a
// connection stores its peer this way and makes a *net.TCPAddr only when
// asked, so accepting a connection converts no address it does not need.
type sockAddr struct {
	ip     [16]byte // IPv4 in the first 4 bytes
	zone   uint32   // IPv6 scope id
	port   uint16
	family uint8 // 4, 6, or 0 when unknown
}

// tcpAddr returns the address as a new *net.TCPAddr (one allocation: the
// IP's bytes live in the same block), or nil if it is unknown.
func (a *sockAddr) tcpAddr() *net.TCPAddr {
	type box struct {
		addr net.TCPAddr
		ip   [16]byte
	}
	switch a.family {
	case 4:
		b := new(box)
		copy(b.ip[:4], a.ip[:4])
		b.addr.IP = b.ip[:4]
		b.addr.Port = int(a.port)
		return &b.addr
	case 6:
		b := new(box)
		b.ip = a.ip
		b.addr.IP = b.ip[:]
		b.addr.Port = int(a.port)
		if a.zone != 0 {
			b.addr.Zone = zoneName(a.zone)
		}
		return &b.addr
	}
	return nil
}

// zoneName names an IPv6 scope id as net does: the interface name, or the
// number when there is no such interface.
func zoneName(id uint32) string {
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(id), 10)
}

// fromSockaddr fills a from a unix.Sockaddr (the portable accept and
// getsockname paths). IPv4-mapped IPv6 addresses (a dual-stack socket's
// IPv4 peers) are stored as IPv4.
func (a *sockAddr) fromSockaddr(sa unix.Sockaddr) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		a.setIPv4(sa.Addr, sa.Port)
	case *unix.SockaddrInet6:
		a.setIPv6(sa.Addr, sa.Port, sa.ZoneId)
	default:
		a.family = 0
	}
}

func (a *sockAddr) setIPv4(ip [4]byte, port int) {
	a.family = 4
	copy(a.ip[:4], ip[:])
	a.port = uint16(port)
	a.zone = 0
}

func (a *sockAddr) setIPv6(ip [16]byte, port int, zone uint32) {
	if v4, ok := v4Mapped(ip); ok {
		a.setIPv4(v4, port)
		return
	}
	a.family = 6
	a.ip = ip
	a.port = uint16(port)
	a.zone = zone
}

// v4Mapped recognises ::ffff:a.b.c.d.
func v4Mapped(ip [16]byte) ([4]byte, bool) {
	for _, b := range ip[:10] {
		if b != 0 {
			return [4]byte{}, false
		}
	}
	if ip[10] != 0xff || ip[11] != 0xff {
		return [4]byte{}, false
	}
	return [4]byte{ip[12], ip[13], ip[14], ip[15]}, true
}

// fromAddrPort fills a from a netip.AddrPort.
func (a *sockAddr) fromAddrPort(ap netip.AddrPort) {
	ip := ap.Addr()
	if ip.Is4() || ip.Is4In6() {
		a.setIPv4(ip.Unmap().As4(), int(ap.Port()))
		return
	}
	var zone uint32
	if z := ip.Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			zone = uint32(ifi.Index)
		} else if n, err := strconv.ParseUint(z, 10, 32); err == nil {
			zone = uint32(n)
		}
	}
	a.setIPv6(ip.As16(), int(ap.Port()), zone)
}

// sockaddr converts a to the form connect(2) and bind(2) take.
func (a *sockAddr) sockaddr() unix.Sockaddr {
	if a.family == 4 {
		sa := &unix.SockaddrInet4{Port: int(a.port)}
		copy(sa.Addr[:], a.ip[:4])
		return sa
	}
	return &unix.SockaddrInet6{Port: int(a.port), Addr: a.ip, ZoneId: a.zone}
}

func (a *sockAddr) domain() int {
	if a.family == 4 {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// HostPortAddr is a TCP destination as it was asked for: a host that may be
// a name not yet resolved, and a port. Connector.Destination returns one,
// as Twisted's connector.getDestination gives the host as given.
type HostPortAddr struct {
	Host string
	Port int
}

// Network returns "tcp".
func (a *HostPortAddr) Network() string { return "tcp" }

// String returns host:port (brackets around an IPv6 host).
func (a *HostPortAddr) String() string {
	return net.JoinHostPort(a.Host, strconv.Itoa(a.Port))
}

// AddressRepr formats a TCP address the way Twisted 22.4 prints one, which
// is what the tutorial's programs print for transport.getPeer(),
// port.getHost() and connector.getDestination():
//
//	IPv4Address(type='TCP', host='127.0.0.1', port=10001)
//	IPv6Address(type='TCP', host='::1', port=10001)
//
// It takes any net.Addr whose String is host:port (*net.TCPAddr,
// *HostPortAddr); a host that is a name is printed as IPv4Address, as
// Twisted does for a name it has not resolved.
func AddressRepr(addr net.Addr) string {
	if addr == nil {
		return "None"
	}
	var host string
	var port int
	switch a := addr.(type) {
	case *net.TCPAddr:
		host, port = a.IP.String(), a.Port
		if a.Zone != "" {
			host += "%" + a.Zone
		}
	case *HostPortAddr:
		host, port = a.Host, a.Port
	default:
		h, p, err := net.SplitHostPort(addr.String())
		if err != nil {
			return addr.String()
		}
		host = h
		port, _ = strconv.Atoi(p)
	}
	kind := "IPv4Address"
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() && !ip.Is4In6() {
		kind = "IPv6Address"
	}
	return fmt.Sprintf("%s(type='TCP', host='%s', port=%d)", kind, host, port)
}
