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
// the *reactor.Conn itself, so every optional method a protocol may look
// for (Buffered, SetNoDelay, AcceptDelay...) is still there.
type tcpTransport struct {
	*reactor.Conn
	peer, host net.Addr
}

func (t *tcpTransport) Peer() net.Addr      { return t.peer }
func (t *tcpTransport) Host() net.Addr      { return t.host }
func (t *tcpTransport) ProxyPeer() net.Addr { return t.Conn.Peer() }

// Unwrap gives the connection itself (reactor.TransportWrapper), so that a
// file poem still goes out with sendfile(2).
func (t *tcpTransport) Unwrap() reactor.Transport { return t.Conn }

// tlsTransport is the transport of a proxied TLS connection (WithTLS).
// It embeds the *reactor.TLSConn, so that a protocol finds there what it
// finds on a plain TLS connection: Buffered and SetWriteBufferLimits (a
// slow poem server paces itself by them, and a log counts as sent only
// what left the buffer), LoseWriteConnection, SetNoDelay, WriteCount.
type tlsTransport struct {
	*reactor.TLSConn
	peer, host net.Addr
}

func (t *tlsTransport) Peer() net.Addr      { return t.peer }
func (t *tlsTransport) Host() net.Addr      { return t.host }
func (t *tlsTransport) ProxyPeer() net.Addr { return t.TLSConn.Peer() }

// Unwrap gives the TLS connection itself (reactor.TransportWrapper).
func (t *tlsTransport) Unwrap() reactor.Transport { return t.TLSConn }

// anyTransport is the same over any other Transport (test transports).
type anyTransport struct {
	reactor.Transport
	peer, host net.Addr
}

func (t *anyTransport) Peer() net.Addr      { return t.peer }
func (t *anyTransport) Host() net.Addr      { return t.host }
func (t *anyTransport) ProxyPeer() net.Addr { return t.Transport.Peer() }

// Unwrap gives the transport beneath (reactor.TransportWrapper).
func (t *anyTransport) Unwrap() reactor.Transport { return t.Transport }

// wrapTransport returns t reporting peer and host as its addresses.
func wrapTransport(t reactor.Transport, peer, host net.Addr) Proxied {
	switch c := t.(type) {
	case *reactor.Conn:
		return &tcpTransport{Conn: c, peer: peer, host: host}
	case *reactor.TLSConn:
		return &tlsTransport{TLSConn: c, peer: peer, host: host}
	}
	return &anyTransport{Transport: t, peer: peer, host: host}
}
