package sock

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Addr is an IPv4 or IPv6 socket address kept by value, 24 bytes: a
// connection stores its peer this way and makes a *net.TCPAddr only when
// asked, so accepting a connection converts no address it does not need.
// The zero Addr is unknown (TCPAddr returns nil).
type Addr struct {
	ip     [16]byte // IPv4 in the first 4 bytes
	zone   uint32   // IPv6 scope id
	port   uint16
	family uint8 // 4, 6, familyUnix, or 0 when unknown
}

// familyUnix marks the address of a Unix socket's peer; its path, when it
// has one, is not kept (the caller knows it: the path it connected to).
const familyUnix = 1

// SetUnix marks a as a Unix socket's address.
func (a *Addr) SetUnix() { *a = Addr{family: familyUnix} }

// IsUnix reports whether a is a Unix socket's address.
func (a *Addr) IsUnix() bool { return a.family == familyUnix }

// TCPAddr returns the address as a new *net.TCPAddr (one allocation: the
// IP's bytes live in the same block), or nil if it is unknown.
func (a *Addr) TCPAddr() *net.TCPAddr {
	if !a.isIP() {
		return nil
	}
	b := new(struct {
		addr net.TCPAddr
		ip   [16]byte
	})
	b.addr.IP, b.addr.Port, b.addr.Zone = a.parts(&b.ip)
	return &b.addr
}

// isIP reports whether a holds an IPv4 or IPv6 address.
func (a *Addr) isIP() bool { return a.family == 4 || a.family == 6 }

// parts returns a's IP (its bytes copied into ip, which the caller
// allocates with the address that holds the slice), port and zone.
func (a *Addr) parts(ip *[16]byte) (net.IP, int, string) {
	if a.family == 4 {
		copy(ip[:4], a.ip[:4])
		return ip[:4], int(a.port), ""
	}
	*ip = a.ip
	zone := ""
	if a.zone != 0 {
		zone = zoneName(a.zone)
	}
	return ip[:], int(a.port), zone
}

// StreamAddr returns the address of a stream socket's peer as a net.Addr:
// a new *net.TCPAddr, an unnamed *net.UnixAddr for a Unix socket's peer,
// or nil if it is unknown.
func (a *Addr) StreamAddr() net.Addr {
	if a.IsUnix() {
		return &net.UnixAddr{Net: "unix"}
	}
	if t := a.TCPAddr(); t != nil {
		return t
	}
	return nil
}

// UDPAddr is TCPAddr for a datagram socket (one allocation too).
func (a *Addr) UDPAddr() *net.UDPAddr {
	if !a.isIP() {
		return nil
	}
	b := new(struct {
		addr net.UDPAddr
		ip   [16]byte
	})
	b.addr.IP, b.addr.Port, b.addr.Zone = a.parts(&b.ip)
	return &b.addr
}

// SameIPPort reports whether a and b hold the same IP address and port,
// whatever their IPv6 scope ids (a zone given by name and one the kernel
// reports may be written differently for one peer). Only the bytes of
// the address's family are compared: an IPv4 address stored over an
// IPv6 one keeps the rest of the older bytes.
func (a *Addr) SameIPPort(b *Addr) bool {
	if a.family != b.family || a.port != b.port {
		return false
	}
	if a.family == 4 {
		return [4]byte(a.ip[:4]) == [4]byte(b.ip[:4])
	}
	return a.ip == b.ip
}

// ScopeID returns an IPv6 address's scope id (0 for any other address).
func (a *Addr) ScopeID() uint32 { return a.zone }

// Known reports whether a holds an address.
func (a *Addr) Known() bool { return a.family != 0 }

// zoneName names an IPv6 scope id as net does: the interface name, or the
// number when there is no such interface.
func zoneName(id uint32) string {
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(id), 10)
}

// FromSockaddr fills a from a unix.Sockaddr (the portable accept and
// getsockname paths). IPv4-mapped IPv6 addresses (a dual-stack socket's
// IPv4 peers) are stored as IPv4. Any other family leaves a unknown.
func (a *Addr) FromSockaddr(sa unix.Sockaddr) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		a.SetIPv4(sa.Addr, sa.Port)
	case *unix.SockaddrInet6:
		a.SetIPv6(sa.Addr, sa.Port, sa.ZoneId)
	case *unix.SockaddrUnix:
		a.SetUnix()
	default:
		a.family = 0
	}
}

// SetIPv4 stores an IPv4 address and port.
func (a *Addr) SetIPv4(ip [4]byte, port int) {
	a.family = 4
	copy(a.ip[:4], ip[:])
	a.port = uint16(port)
	a.zone = 0
}

// SetIPv6 stores an IPv6 address, port and scope id (an IPv4-mapped
// address as the IPv4 address it holds).
func (a *Addr) SetIPv6(ip [16]byte, port int, zone uint32) {
	if v4, ok := v4Mapped(ip); ok {
		a.SetIPv4(v4, port)
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

// FromAddrPort fills a from a netip.AddrPort. An IPv6 zone that names no
// interface and is not a number gives scope id 0 (Sockaddr refuses it
// instead).
func (a *Addr) FromAddrPort(ap netip.AddrPort) {
	ip := ap.Addr()
	if ip.Is4() || ip.Is4In6() {
		a.SetIPv4(ip.Unmap().As4(), int(ap.Port()))
		return
	}
	zone, _ := ZoneID(ip.Zone())
	a.SetIPv6(ip.As16(), int(ap.Port()), zone)
}

// ZoneID turns an IPv6 zone into a scope id, as package net does: the
// index of the interface of that name, else the zone read as a number.
// "" is 0. An unknown zone is the error of the interface lookup. Every
// conversion of a zone in gyre goes through it, so that an address the
// reactor hands out ("fe80::1%eth0", a sender's) is taken back wherever an
// address is taken.
//
// It runs for every datagram sent to a zoned address, so it must be
// cheap: the last zone looked up is remembered for a while with its answer
// (as package net caches its zones), which makes a protocol answering
// link-local peers on one interface cost no lookup.
func ZoneID(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	if z := lastZone.Load(); z != nil && z.name == zone && time.Since(z.at) < zoneCacheTime {
		return z.id, nil
	}
	var id uint32
	if ifi, err := net.InterfaceByName(zone); err == nil {
		id = uint32(ifi.Index)
	} else if n, perr := strconv.ParseUint(zone, 10, 32); perr == nil {
		id = uint32(n)
	} else {
		return 0, err
	}
	lastZone.Store(&zoneEntry{name: zone, id: id, at: time.Now()})
	return id, nil
}

// zoneEntry is a zone name and its interface index, as found at a time.
type zoneEntry struct {
	name string
	id   uint32
	at   time.Time
}

// lastZone is the last zone ZoneID looked up: an atomic pointer, because
// reactors on several goroutines may send at once, and a lock per datagram
// is what the hot path must not take. An interface renumbered (removed
// and made again) is seen within zoneCacheTime.
var lastZone atomic.Pointer[zoneEntry]

const zoneCacheTime = time.Minute

// Sockaddr converts a to the form connect(2), bind(2) and sendto(2) take.
func (a *Addr) Sockaddr() unix.Sockaddr {
	if a.family == 4 {
		sa := &unix.SockaddrInet4{Port: int(a.port)}
		copy(sa.Addr[:], a.ip[:4])
		return sa
	}
	return &unix.SockaddrInet6{Port: int(a.port), Addr: a.ip, ZoneId: a.zone}
}

// Domain is the address family to open a socket for a: AF_INET or
// AF_INET6.
func (a *Addr) Domain() int {
	if a.family == 4 {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// Sockaddr converts an IP address and a port into the form connect(2) and
// bind(2) take; it is the conversion the reactor makes for its own sockets,
// and the one the tutorial's programs that make their own sockets use, so
// that they connect and listen where the reactor would. An IPv4 address,
// or an IPv4-mapped IPv6 one, gives a *unix.SockaddrInet4 (for an AF_INET
// socket); any other IPv6 address a *unix.SockaddrInet6, whose zone
// ("fe80::1%eth0") becomes the scope id: an interface name or a number, as
// package net takes it. It fails for an invalid address, a port outside 0
// to 65535, or a zone that names no interface.
func Sockaddr(ip netip.Addr, port int) (unix.Sockaddr, error) {
	if !ip.IsValid() {
		return nil, &net.AddrError{Err: "invalid IP address", Addr: ip.String()}
	}
	if port < 0 || port > 65535 {
		return nil, &net.AddrError{Err: "invalid port", Addr: strconv.Itoa(port)}
	}
	if ip.Is6() && !ip.Is4In6() {
		if _, err := ZoneID(ip.Zone()); err != nil {
			return nil, err
		}
	}
	var a Addr
	a.FromAddrPort(netip.AddrPortFrom(ip, uint16(port)))
	return a.Sockaddr(), nil
}

// TCPAddr converts a socket address from the kernel (what accept(2),
// getpeername(2) and getsockname(2) return) into a *net.TCPAddr, the
// reverse of Sockaddr: an IPv4-mapped IPv6 address becomes the IPv4
// address it holds, and a scope id becomes the zone. It returns nil for an
// address that is not IPv4 or IPv6.
func TCPAddr(sa unix.Sockaddr) *net.TCPAddr {
	var a Addr
	a.FromSockaddr(sa)
	return a.TCPAddr()
}

// UnixAddr converts an AF_UNIX socket address into a *net.UnixAddr of the
// given network ("unix", "unixgram", "unixpacket"), or nil for another
// family. An unnamed socket's address has an empty Name.
func UnixAddr(sa unix.Sockaddr, network string) *net.UnixAddr {
	u, ok := sa.(*unix.SockaddrUnix)
	if !ok {
		return nil
	}
	return &net.UnixAddr{Name: u.Name, Net: network}
}

// UnixSockaddr is the AF_UNIX address of a path (a leading '@' or NUL
// names an abstract socket on Linux, as package net has it). It fails for
// a path longer than sockaddr_un holds: a file's path needs its
// terminating NUL in sun_path, so it has one byte fewer than sun_path; an
// abstract name has none (its length is the address's), so it may fill
// sun_path, its leading '@' standing for the NUL in the first byte (Bind
// and Connect take such a name; x/sys's own calls refuse it). It fails
// for a file's path with a NUL byte in it too: the kernel would take the
// path as ending there, binding or connecting to another file than the
// one named (and the chmod and remove that follow a bind, which refuse
// such a path, would leave that file behind). An abstract name may hold
// NUL bytes: its length, not a terminator, ends it.
func UnixSockaddr(path string) (unix.Sockaddr, error) {
	limit := len(unix.RawSockaddrUnix{}.Path)
	if !AbstractUnixName(path) {
		limit--
		if i := strings.IndexByte(path, 0); i >= 0 {
			return nil, fmt.Errorf("unix socket path has a NUL byte at byte %d", i+1)
		}
	}
	if len(path) > limit {
		// The caller's error names the path already.
		return nil, fmt.Errorf("unix socket path too long: %d bytes, at most %d", len(path), limit)
	}
	return &unix.SockaddrUnix{Name: path}, nil
}

// ResolveHost turns a host into an IP address: an IP literal (with its
// zone, if any) is itself, and a name is looked up with the system's
// resolver, the first IPv4 address being preferred, as Twisted's resolver
// does, else the first address. The lookup blocks, within ctx; it fails
// with the resolver's *net.DNSError. An empty host is not a name: it is an
// error here, and each caller says what it means.
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

// Resolve is ResolveHost then Sockaddr, for a program that connects its
// own socket where the reactor's ConnectTCP would: an empty host is this
// machine (127.0.0.1), as for ConnectTCP and Python's sockets.
func Resolve(host string, port int) (unix.Sockaddr, error) {
	if host == "" {
		host = "127.0.0.1"
	}
	ip, err := ResolveHost(context.Background(), host)
	if err != nil {
		return nil, err
	}
	return Sockaddr(ip, port)
}
