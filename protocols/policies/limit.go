package policies

import (
	"net"
	"net/netip"

	"gyre/reactor"
)

// Limit wraps a factory with limits on its open connections: MaxTotal in
// all and MaxPerPeer from one peer address (IP, whatever the port; 0: no
// limit). A connection over a limit is refused at once: Overflow's
// protocol runs instead if set (to write a message before closing, say),
// else the connection is closed without a word, as when a factory returns
// nil. Refused counts them. Twisted's LimitTotalConnectionsFactory and
// LimitConnectionsByPeer in one. A peer with no IP address (the client of
// a Unix socket, which is unnamed) is not limited per peer: those clients
// cannot be told apart, and one limit for all of them would be MaxTotal
// under another name. Only MaxTotal counts them.
type Limit struct {
	Factory    reactor.Factory
	MaxTotal   int
	MaxPerPeer int
	// Overflow, if set, builds the protocol of a refused connection.
	Overflow func(addr net.Addr) reactor.Protocol

	// Refused counts the connections refused over a limit.
	Refused uint64

	open   int
	byPeer map[netip.Addr]int
}

// Open returns how many connections built by the wrapped factory are open.
func (l *Limit) Open() int { return l.open }

// OpenFrom returns how many are open from the peer address ip.
func (l *Limit) OpenFrom(ip netip.Addr) int { return l.byPeer[ip.Unmap()] }

// peerIP is the address the per-peer limit counts.
func peerIP(addr net.Addr) netip.Addr {
	if a, ok := addr.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	if ap, err := netip.ParseAddrPort(addr.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// BuildProtocol builds the wrapped factory's protocol if both limits
// allow, and counts it until its ConnectionLost.
func (l *Limit) BuildProtocol(addr net.Addr) reactor.Protocol {
	ip := peerIP(addr)
	perPeer := ip.IsValid()
	if (l.MaxTotal > 0 && l.open >= l.MaxTotal) || (perPeer && l.MaxPerPeer > 0 && l.byPeer[ip] >= l.MaxPerPeer) {
		l.Refused++
		if l.Overflow != nil {
			return l.Overflow(addr)
		}
		return nil
	}
	inner := l.Factory.BuildProtocol(addr)
	if inner == nil {
		return nil
	}
	l.open++
	if perPeer {
		if l.byPeer == nil {
			l.byPeer = make(map[netip.Addr]int)
		}
		l.byPeer[ip]++
	}
	w := &wrapper{inner: inner}
	w.onLost = func(error) {
		l.open--
		if !perPeer {
			return
		}
		if n := l.byPeer[ip] - 1; n > 0 {
			l.byPeer[ip] = n
		} else {
			delete(l.byPeer, ip)
		}
	}
	return w.protocol()
}
