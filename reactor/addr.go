package reactor

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"gyre/internal/sock"
)

// ResolveHost turns a host into the IP address the reactor connects to or
// listens on: an IP literal (with its zone, if any) is itself, and a name
// is looked up with the system's resolver, the first IPv4 address being
// preferred, as Twisted's resolver does (the tutorial's sockets are IPv4
// ones), else the first address. The lookup blocks, within ctx; it fails
// with the resolver's *net.DNSError. An empty host is not a name: it is an
// error here, and each caller says what it means (ListenTCP: every
// interface; ConnectTCP: this machine).
func ResolveHost(ctx context.Context, host string) (netip.Addr, error) {
	return sock.ResolveHost(ctx, host)
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
