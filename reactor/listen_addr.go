package reactor

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"gyre/internal/sock"
)

// listenTarget is a parsed listen address ("host:port"): what to bind, and
// the interface and port a ListenError names. TCP and UDP ports share it.
type listenTarget struct {
	host string
	port int
	sa   sock.Addr
}

// parseListenAddr parses addr, resolving its host ("" is every IPv4
// interface). Its errors are *ListenError.
func parseListenAddr(addr string) (listenTarget, error) {
	// An address that does not parse is named as given (Path): there is
	// no port number to name it by.
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return listenTarget{}, &ListenError{Path: addr, Err: err}
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return listenTarget{}, &ListenError{Path: addr, Err: errors.New("invalid port " + strconv.Quote(portStr))}
	}
	t := listenTarget{host: host, port: port}
	ip, err := resolveListenHost(host)
	if err != nil {
		return t, t.err(err)
	}
	if err := checkScope(ip); err != nil {
		return t, t.err(err)
	}
	t.sa.FromAddrPort(netip.AddrPortFrom(ip, uint16(port)))
	return t, nil
}

// err wraps err in the ListenError of t.
func (t listenTarget) err(err error) error {
	return &ListenError{Interface: t.host, Port: t.port, Err: err}
}

// sysErr is the ListenError of a failed system call: the bare errno when
// there is one (so that errors.Is(err, syscall.EADDRINUSE) and the
// message stay short), else the call's error.
func (t listenTarget) sysErr(call string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return t.err(errno)
	}
	return t.err(os.NewSyscallError(call, err))
}

// resolveListenHost turns the host part of a listen address into an IP:
// "" is 0.0.0.0, a literal is itself, a name is looked up (IPv4 first).
func resolveListenHost(host string) (netip.Addr, error) {
	if host == "" {
		return netip.IPv4Unspecified(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return ResolveHost(ctx, host)
}

// checkScope refuses an IPv6 address whose interface the system cannot
// tell: a zone naming no interface, or a link-local address without a
// zone. bind(2) answers either with a bare EINVAL ("Invalid argument"),
// which does not say what is wrong with the address.
func checkScope(ip netip.Addr) error {
	if zone := ip.Zone(); zone != "" {
		if _, err := sock.ZoneID(zone); err != nil {
			return &net.AddrError{Err: "no interface for the IPv6 zone", Addr: ip.String()}
		}
		return nil
	}
	if ip.Is6() && ip.IsLinkLocalUnicast() {
		return &net.AddrError{Err: "a link-local address needs its interface as a zone (fe80::1%eth0)", Addr: ip.String()}
	}
	return nil
}
