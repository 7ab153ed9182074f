package reactor

import (
	"context"
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
	family uint8 // 4, 6, familyUnix, or 0 when unknown
}

// familyUnix marks the sockAddr of a Unix socket's peer: the path, when it
// has one, is not kept here (see Conn.Peer).
const familyUnix = 1

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
	case *unix.SockaddrUnix:
		a.family = familyUnix
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

// fromAddrPort fills a from a netip.AddrPort. An IPv6 zone that names no
// interface and is not a number gives scope id 0 (Sockaddr refuses it
// instead).
func (a *sockAddr) fromAddrPort(ap netip.AddrPort) {
	ip := ap.Addr()
	if ip.Is4() || ip.Is4In6() {
		a.setIPv4(ip.Unmap().As4(), int(ap.Port()))
		return
	}
	zone, _ := zoneID(ip.Zone())
	a.setIPv6(ip.As16(), int(ap.Port()), zone)
}

// zoneID turns an IPv6 zone into a scope id, as package net does: the
// index of the interface of that name, else the zone read as a number. ""
// is 0. An unknown zone is the error of the interface lookup.
func zoneID(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err == nil {
		return uint32(ifi.Index), nil
	}
	if n, perr := strconv.ParseUint(zone, 10, 32); perr == nil {
		return uint32(n), nil
	}
	return 0, err
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

// Sockaddr converts an IP address and a port into the form connect(2) and
// bind(2) take, for programs that make their own sockets with
// golang.org/x/sys/unix (the tutorial's select-loop programs do); it is
// the conversion the reactor makes for its own sockets. An IPv4 address,
// or an IPv4-mapped IPv6 one, gives a *unix.SockaddrInet4 (to use with an
// AF_INET socket); any other IPv6 address a *unix.SockaddrInet6, whose
// zone ("fe80::1%eth0") becomes the scope id: an interface name or a
// number, as package net takes it. It fails for an invalid address, a port
// outside 0 to 65535, or a zone that names no interface.
func Sockaddr(ip netip.Addr, port int) (unix.Sockaddr, error) {
	if !ip.IsValid() {
		return nil, &net.AddrError{Err: "invalid IP address", Addr: ip.String()}
	}
	if port < 0 || port > 65535 {
		return nil, &net.AddrError{Err: "invalid port", Addr: strconv.Itoa(port)}
	}
	if ip.Is6() && !ip.Is4In6() {
		if _, err := zoneID(ip.Zone()); err != nil {
			return nil, err
		}
	}
	var a sockAddr
	a.fromAddrPort(netip.AddrPortFrom(ip, uint16(port)))
	return a.sockaddr(), nil
}

// TCPAddrFromSockaddr converts a socket address from the kernel (what
// accept(2), getpeername(2) and getsockname(2) return) into a
// *net.TCPAddr, the reverse of Sockaddr: an IPv4-mapped IPv6 address
// becomes the IPv4 address it holds, and a scope id becomes the zone (the
// interface's name, or the number when there is no such interface). It
// returns nil for an address that is not IPv4 or IPv6.
func TCPAddrFromSockaddr(sa unix.Sockaddr) *net.TCPAddr {
	var a sockAddr
	a.fromSockaddr(sa)
	return a.tcpAddr()
}

// ResolveHost turns a host into the IP address the reactor connects to or
// listens on: an IP literal (with its zone, if any) is itself, and a name
// is looked up with the system's resolver, the first IPv4 address being
// preferred, as Twisted's resolver does (the tutorial's sockets are IPv4
// ones), else the first address. The lookup blocks, within ctx; it fails
// with the resolver's *net.DNSError. An empty host is not a name: it is an
// error here, and each caller says what it means (ListenTCP: every
// interface; ConnectTCP: this machine).
func ResolveHost(ctx context.Context, host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			return ip.Unmap(), nil
		}
	}
	return ips[0], nil
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
