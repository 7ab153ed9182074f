package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"gyre/deferred"
	"gyre/internal/sock"
)

// UDPPort is a UDP socket on the reactor (Twisted's udp.Port): the
// transport of its DatagramProtocol and a ReadDescriptor.
type UDPPort struct {
	r      *Reactor
	fd     int
	proto  DatagramProtocol
	addr   *net.UDPAddr
	batch  int
	domain int

	connected *net.UDPAddr // after Connect
	peer      sock.Addr    // connected, as senders are compared with it
	closed    bool
	stopped   bool   // StopProtocol delivered
	truncated uint64 // datagrams dropped for not fitting the read buffer

	// The raw address recvfrom and sendto use, and the recent senders:
	// each one's *net.UDPAddr is handed to every datagram it sends while
	// it stays in the cache, so that receiving from a few peers at once,
	// however their datagrams interleave, allocates nothing after each
	// one's first.
	scratch sock.SockaddrBuf
	from    sock.Addr
	senders [senderSlots]struct {
		key  sock.Addr
		addr *net.UDPAddr
	}
	lastHit, nextSlot uint8 // where the last sender was found; the next slot to replace
}

// senderSlots is how many senders a port remembers the *net.UDPAddr of,
// searched in turn (a few hundred bytes a port; up to this many peers
// interleaving cost nothing).
const senderSlots = 8

// ListenUDP opens a UDP socket on addr ("host:port"; an empty host means
// every IPv4 interface, port 0 lets the system choose: Addr tells) and
// starts proto on it: StartProtocol is called before ListenUDP returns.
// A host name is resolved here, blocking, as ListenTCP does: listening is
// done at start-up (Connect, which may come later, takes IP addresses
// only). It fails with a *ListenError.
func (r *Reactor) ListenUDP(addr string, proto DatagramProtocol, opts ...UDPOption) (*UDPPort, error) {
	r.checkLoop("ListenUDP")
	cfg := udpConfig{batch: DefaultUDPReadBatch}
	for _, o := range opts {
		o(&cfg)
	}
	if proto == nil {
		return nil, &ListenError{Path: addr, Err: errors.New("nil protocol")}
	}
	t, err := parseListenAddr(addr)
	if err != nil {
		return nil, err
	}
	fd, err := sock.Socket(t.sa.Domain(), unix.SOCK_DGRAM)
	if err != nil {
		return nil, t.err(err)
	}
	fail := func(call string, err error) (*UDPPort, error) {
		sock.Close(fd)
		return nil, t.sysErr(call, err)
	}
	if cfg.rcvbuf > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, cfg.rcvbuf); err != nil {
			return fail("setsockopt", err)
		}
	}
	if cfg.reusePort {
		if err := sock.SetReusePort(fd); err != nil {
			return fail("setsockopt", err)
		}
	}
	if err := sock.Bind(fd, t.sa.Sockaddr()); err != nil {
		return fail("bind", err)
	}
	bound, err := sock.LocalAddr(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	p := &UDPPort{r: r, fd: fd, proto: proto, addr: bound.UDPAddr(), batch: max(cfg.batch, 1), domain: t.sa.Domain()}
	if err := r.AddReader(p); err != nil {
		return fail("register", err)
	}
	proto.StartProtocol(p)
	return p, nil
}

// Addr returns the port's local address.
func (p *UDPPort) Addr() *net.UDPAddr { return p.addr }

// Fd returns the socket (-1 once closed).
func (p *UDPPort) Fd() int {
	if p.closed {
		return -1
	}
	return p.fd
}

// LogPrefix names the port in logs.
func (p *UDPPort) LogPrefix() string { return "UDP port " + strconv.Itoa(p.addr.Port) }

// ReceiveBuffer returns the socket's receive buffer size as the kernel
// set it (Linux doubles what was asked, for its bookkeeping). A stopped
// port's is net.ErrClosed: its descriptor's number may be another
// socket's by then.
func (p *UDPPort) ReceiveBuffer() (int, error) {
	if p.closed {
		return 0, net.ErrClosed
	}
	n, err := unix.GetsockoptInt(p.fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	return n, os.NewSyscallError("getsockopt", err)
}

// Connect connects the port to addr, an IP address and a port number
// ("192.0.2.1:53", "[2001:db8::1]:53"; an IPv6 zone is an interface name
// or its index, "[fe80::1%eth0]:53"): from then on it receives datagrams
// from addr only (those other peers sent before, still waiting in the
// socket, are dropped), Write may omit the address, and a datagram refused by
// the peer's host is reported to the protocol's ConnectionRefused. A port
// connects once (Twisted's rule).
//
// A host name, "localhost" included, is refused with a *net.AddrError
// rather than looked up: the lookup would block the loop for as long as
// DNS takes. As Twisted's connect asks for an IP address, the caller
// resolves the name first, off the loop (ResolveHost on a goroutine of
// its own, or before Run), and passes the address.
func (p *UDPPort) Connect(addr string) error {
	if p.closed {
		return net.ErrClosed
	}
	if p.connected != nil {
		return errors.New("reactor: UDP port already connected")
	}
	ua, sa, err := p.resolve(addr)
	if err != nil {
		return err
	}
	if err := sock.Connect(p.fd, sa); err != nil {
		return os.NewSyscallError("connect", err)
	}
	p.connected = ua
	// The senders are compared with the peer the kernel connected to,
	// not with addr: an unspecified address ("0.0.0.0:53", "[::]:53")
	// connects to this host, and its datagrams come from a loopback
	// address, not from the one given.
	if sa, err := unix.Getpeername(p.fd); err == nil {
		p.peer.FromSockaddr(sa)
	} else {
		p.peer.FromAddrPort(ua.AddrPort())
	}
	return nil
}

// Connected returns the address the port is connected to (nil if none).
func (p *UDPPort) Connected() *net.UDPAddr { return p.connected }

// resolve turns "ip:port" into the socket address for this port's
// family. It looks nothing up (see Connect).
func (p *UDPPort) resolve(addr string) (*net.UDPAddr, unix.Sockaddr, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, nil, notIPPort(addr, err)
	}
	return p.sockaddr(ap)
}

// notIPPort says why addr, which does not parse as ip:port, is refused:
// a host name gets an error that says so and what to do instead.
func notIPPort(addr string, err error) error {
	if host, _, serr := net.SplitHostPort(addr); serr == nil && host != "" {
		if _, herr := netip.ParseAddr(host); herr != nil && !strings.Contains(host, "%") {
			return &net.AddrError{Err: "an IP address is needed, not a host name: resolve it off the loop first (ResolveHost)", Addr: addr}
		}
	}
	return &net.AddrError{Err: err.Error(), Addr: addr}
}

func (p *UDPPort) sockaddr(ap netip.AddrPort) (*net.UDPAddr, unix.Sockaddr, error) {
	if err := p.checkFamily(ap); err != nil {
		return nil, nil, err
	}
	ip := ap.Addr()
	if p.domain == unix.AF_INET {
		ip = ip.Unmap()
		return net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, ap.Port())), &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}, nil
	}
	zone, err := zoneID(ap)
	if err != nil {
		return nil, nil, err
	}
	return net.UDPAddrFromAddrPort(ap), &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16(), ZoneId: zone}, nil
}

// zoneID is the scope id of ap's zone: an interface name (as the port
// hands out in senders' addresses) or a number, as package net takes it.
func zoneID(ap netip.AddrPort) (uint32, error) {
	zone, err := sock.ZoneID(ap.Addr().Zone())
	if err != nil {
		return 0, &net.AddrError{Err: "no interface for the IPv6 zone", Addr: ap.String()}
	}
	return zone, nil
}

// checkFamily refuses an IPv6 address on an IPv4 socket.
func (p *UDPPort) checkFamily(ap netip.AddrPort) error {
	if p.domain == unix.AF_INET && !ap.Addr().Unmap().Is4() {
		return &net.AddrError{Err: "IPv6 address on an IPv4 socket", Addr: ap.String()}
	}
	return nil
}

// destination checks that ua can be sent to from this port's socket and
// returns it as the kernel takes it (with its zone's scope id). It
// allocates nothing for an address without a zone, nor for a sender's
// address the port handed out, whose scope id is the one the kernel gave
// with the datagram: answering a link-local peer looks up no interface.
func (p *UDPPort) destination(ua *net.UDPAddr) (netip.AddrPort, uint32, error) {
	ap := ua.AddrPort()
	if !ap.Addr().IsValid() {
		return ap, 0, &net.AddrError{Err: "no IP address to send to", Addr: ua.String()}
	}
	if err := p.checkFamily(ap); err != nil {
		return ap, 0, err
	}
	if ua.Zone == "" || p.domain == unix.AF_INET {
		return ap, 0, nil
	}
	if zone, ok := p.senderZone(ua); ok {
		return ap, zone, nil
	}
	zone, err := zoneID(ap)
	return ap, zone, err
}

// senderZone returns the scope id of ua if it is the address of a sender
// the port remembers.
func (p *UDPPort) senderZone(ua *net.UDPAddr) (uint32, bool) {
	for i := range p.senders {
		if p.senders[i].addr == ua {
			return p.senders[i].key.ScopeID(), true
		}
	}
	return 0, false
}

// Write sends data as one datagram to addr, a *net.UDPAddr. On a
// connected port addr is nil (or a nil *net.UDPAddr) or the peer, and any
// other address is ErrNotPeer; on a port not connected, no address is
// ErrNotConnected. An IPv6 zone names an interface or gives its index, as
// in the senders' addresses the port hands out. Write never blocks and
// never buffers: a full send buffer is ErrDatagramDropped; on a connected
// port a refusal is reported both here (ECONNREFUSED) and to
// ConnectionRefused.
func (p *UDPPort) Write(data []byte, addr net.Addr) error {
	p.r.checkLoop("UDPPort.Write")
	if p.closed {
		return net.ErrClosed
	}
	if ua, ok := addr.(*net.UDPAddr); ok && ua == nil {
		addr = nil // a nil *net.UDPAddr is no address, not one to read
	}
	var err error
	switch {
	case addr == nil && p.connected == nil:
		return ErrNotConnected
	case addr == nil:
		err = unix.Send(p.fd, data, 0)
	default:
		ua, ok := addr.(*net.UDPAddr)
		if !ok {
			return &net.AddrError{Err: "not a UDP address", Addr: addr.String()}
		}
		ap, zone, aerr := p.destination(ua)
		if aerr != nil {
			return aerr
		}
		if p.connected != nil {
			if ap.Addr().Unmap() != p.connected.AddrPort().Addr().Unmap() || ap.Port() != uint16(p.connected.Port) {
				return fmt.Errorf("%w: %v is not %v", ErrNotPeer, ua, p.connected)
			}
			err = unix.Send(p.fd, data, 0) // sendto on a connected socket: its peer
		} else {
			err = sock.SendTo(p.fd, p.domain, data, &p.scratch, ap, zone)
		}
	}
	switch err {
	case nil:
		return nil
	case unix.EAGAIN, unix.ENOBUFS:
		return ErrDatagramDropped
	case unix.ECONNREFUSED:
		p.refused()
	}
	return os.NewSyscallError("sendto", err)
}

// refused tells a connected port's protocol that the peer refused.
func (p *UDPPort) refused() {
	if cr, ok := p.proto.(ConnectionRefusedProtocol); ok && p.connected != nil {
		p.r.call(cr.ConnectionRefused)
	}
}

// DoRead reads up to the port's batch of datagrams and delivers each.
func (p *UDPPort) DoRead() error {
	buf := p.r.ReadBuffer()
	for range p.batch {
		if p.closed {
			return nil
		}
		n, truncated, err := sock.RecvFrom(p.fd, buf, &p.scratch, &p.from)
		switch err {
		case nil:
		case unix.EAGAIN:
			return nil
		case unix.EINTR:
			continue
		case unix.ECONNREFUSED:
			// An ICMP error for an earlier send (connected ports).
			p.refused()
			continue
		default:
			p.r.log().Warn("UDP receive failed", "system", p.LogPrefix(), "error", err)
			return nil
		}
		if p.connected != nil && !p.from.SameIPPort(&p.peer) {
			// Queued before Connect: the kernel filters only what
			// arrives after it.
			continue
		}
		if truncated {
			p.dropTruncated(len(buf))
			continue
		}
		p.deliver(buf[:n])
	}
	return nil
}

// dropTruncated counts a datagram that did not fit the read buffer (of
// size bytes): delivered, its end missing, it would read as a whole
// datagram, short. The port's first one is logged, with what to do;
// the others are only counted, so that a peer that keeps sending large
// datagrams cannot flood the log.
func (p *UDPPort) dropTruncated(size int) {
	p.truncated++
	if p.truncated == 1 {
		p.r.log().Warn("UDP datagram larger than the read buffer dropped (WithReadBufferSize sets it; UDPPort.TruncatedDatagrams counts them)",
			"system", p.LogPrefix(), "sender", p.from.UDPAddr(), "buffer", size)
	}
}

// TruncatedDatagrams returns how many datagrams the port has dropped
// because they were larger than the reactor's read buffer
// (WithReadBufferSize). The first is logged too.
func (p *UDPPort) TruncatedDatagrams() uint64 { return p.truncated }

// deliver hands one datagram to the protocol. A panic costs that datagram
// only (logged), as in Twisted: escaping DoRead, it would have closed the
// whole port, ending the service for every peer.
func (p *UDPPort) deliver(data []byte) {
	defer func() {
		if v := recover(); v != nil {
			p.r.contained(deferred.NewFailureFromPanic(v), p, nil)
		}
	}()
	p.proto.DatagramReceived(data, p.sender())
}

// sender returns the address of the datagram just read: the one handed
// out before for the same peer, if it is still in the cache. A replaced
// entry's *net.UDPAddr is not reused: a protocol that kept it keeps it.
func (p *UDPPort) sender() *net.UDPAddr {
	if e := &p.senders[p.lastHit]; e.addr != nil && e.key == p.from {
		return e.addr // the same peer again: the common case
	}
	for i := range p.senders {
		if e := &p.senders[i]; e.addr != nil && e.key == p.from {
			p.lastHit = uint8(i)
			return e.addr
		}
	}
	i := p.nextSlot
	p.nextSlot = (i + 1) % senderSlots
	p.senders[i].key, p.senders[i].addr = p.from, p.from.UDPAddr()
	p.lastHit = i
	return p.senders[i].addr
}

// StopListening closes the socket and calls StopProtocol. The Deferred
// has fired by the time it is returned.
func (p *UDPPort) StopListening() *deferred.Deferred {
	p.close()
	return deferred.Succeed(nil)
}

// LoseConnection is StopListening (Twisted's name on a UDP port).
func (p *UDPPort) LoseConnection() { p.close() }

func (p *UDPPort) close() {
	if p.closed {
		return
	}
	p.closed = true
	p.r.RemoveReader(p)
	sock.Close(p.fd)
	if !p.stopped {
		p.stopped = true
		p.r.call(p.proto.StopProtocol)
	}
}

// ConnectionLost is called by the reactor when it drops the port (it
// stopped): the socket is closed and the protocol stopped.
func (p *UDPPort) ConnectionLost(error) { p.close() }

var _ ReadDescriptor = (*UDPPort)(nil)
