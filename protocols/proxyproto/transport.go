package proxyproto

import (
	"net"

	"gyre/reactor"
)

// Proxied is implemented by the transport an inner protocol gets when the
// header named a client: Peer and Host are the addresses the header gave,
// ProxyPeer the connection's own peer (the balancer).
type Proxied interface {
	reactor.Transport
	ProxyPeer() net.Addr
}

// tcpTransport is the transport of a proxied TCP connection. It embeds
// the connection's pacedTCP, and so the *reactor.Conn itself: every
// optional method a protocol may look for (Buffered, SetNoDelay,
// AcceptDelay...) is still there.
type tcpTransport struct {
	*pacedTCP
	peer, host net.Addr
}

func (t *tcpTransport) Peer() net.Addr      { return t.peer }
func (t *tcpTransport) Host() net.Addr      { return t.host }
func (t *tcpTransport) ProxyPeer() net.Addr { return t.Conn.Peer() }

// tlsTransport is the transport of a proxied TLS connection (WithTLS).
// It embeds the *reactor.TLSConn (through pacedTLS), so that a protocol
// finds there what it finds on a plain TLS connection: Buffered and
// SetWriteBufferLimits (a slow poem server paces itself by them, and a log
// counts as sent only what left the buffer), LoseWriteConnection,
// SetNoDelay, WriteCount.
type tlsTransport struct {
	*pacedTLS
	peer, host net.Addr
}

func (t *tlsTransport) Peer() net.Addr      { return t.peer }
func (t *tlsTransport) Host() net.Addr      { return t.host }
func (t *tlsTransport) ProxyPeer() net.Addr { return t.TLSConn.Peer() }

// anyTransport is the same over any other Transport (test transports).
type anyTransport struct {
	*pacedAny
	peer, host net.Addr
}

func (t *anyTransport) Peer() net.Addr      { return t.peer }
func (t *anyTransport) Host() net.Addr      { return t.host }
func (t *anyTransport) ProxyPeer() net.Addr { return t.Transport.Peer() }

// innerTransport returns the transport the inner protocol is given: t,
// paced for p (see pacing.go), reporting peer and host as its addresses
// unless the header was LOCAL (local), which keeps the connection's own.
func innerTransport(p *headerProtocol, t reactor.Transport, local bool, peer, host net.Addr) reactor.Transport {
	switch c := t.(type) {
	case *reactor.Conn:
		paced := &pacedTCP{Conn: c, p: p}
		if local {
			return paced
		}
		return &tcpTransport{pacedTCP: paced, peer: peer, host: host}
	case *reactor.TLSConn:
		paced := &pacedTLS{TLSConn: c, p: p}
		if local {
			return paced
		}
		return &tlsTransport{pacedTLS: paced, peer: peer, host: host}
	}
	paced := &pacedAny{Transport: t, p: p}
	if local {
		return paced
	}
	return &anyTransport{pacedAny: paced, peer: peer, host: host}
}
