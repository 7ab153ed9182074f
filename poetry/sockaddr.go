package poetry

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"golang.org/x/sys/unix"

	"gyre/reactor"
)

// Sockaddr resolves the address and returns it in the form connect(2)
// takes, for the tutorial's programs that make their own sockets (the
// async client, Twisted client 1.0): a *unix.SockaddrInet4 for an IPv4
// address, for which the program opens an AF_INET socket, or a
// *unix.SockaddrInet6 for an IPv6 one. An empty host (":10000") is this
// machine, DefaultHost, as for Python's socket module. A host name is
// looked up, blocking, with the first IPv4 address preferred, as the
// originals' AF_INET sockets require; the conversion is the reactor's own
// (reactor.ResolveHost, reactor.Sockaddr), so these programs connect where
// ConnectTCP would. It fails with the resolver's *net.DNSError for a name
// that cannot be resolved, or with the interface lookup's error for an
// IPv6 zone that names no interface.
func (a Address) Sockaddr() (unix.Sockaddr, error) {
	host := a.Host
	if host == "" {
		host = DefaultHost
	}
	ip, err := reactor.ResolveHost(context.Background(), host)
	if err != nil {
		return nil, err
	}
	return reactor.Sockaddr(ip, a.Port)
}

// SocketTuple formats a TCP address the way the tutorial's slow server
// prints a client's ("Somebody at ('127.0.0.1', 54626) wants poetry!"): a
// Python socket address tuple, (host, port) for IPv4 and (host, port,
// flowinfo, scope_id) for IPv6, with the zone after the host as Python
// shows it: ('fe80::1%eth0', 54626, 0, 2). An IPv4-mapped IPv6 address is
// shown as the IPv4 address it holds. Anything but a *net.TCPAddr is
// shown with its String method.
func SocketTuple(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp == nil {
		if addr == nil {
			return "None"
		}
		return addr.String()
	}
	if ip4 := tcp.IP.To4(); ip4 != nil {
		return fmt.Sprintf("('%s', %d)", ip4, tcp.Port)
	}
	host, scope := tcp.IP.String(), 0
	if tcp.Zone != "" {
		host += "%" + tcp.Zone
		if ifi, err := net.InterfaceByName(tcp.Zone); err == nil {
			scope = ifi.Index
		} else if n, err := strconv.ParseUint(tcp.Zone, 10, 32); err == nil {
			scope = int(n)
		}
	}
	return fmt.Sprintf("('%s', %d, 0, %d)", host, tcp.Port, scope)
}
