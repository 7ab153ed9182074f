package poetry

import (
	"fmt"
	"net"
	"strconv"
)

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
