package reactor

import (
	"crypto/tls"
	"errors"
	"time"
)

// ErrTLSStarted is returned by StartTLS on a connection already secured,
// closing or closed.
var ErrTLSStarted = errors.New("reactor: StartTLS on a connection that is closing, closed, or already TLS")

// StartTLS turns an established connection into a TLS one (STARTTLS): a
// handshake starts at once, as the server if the connection was accepted
// and as the client if it was made by a Connector. Call it from the
// protocol: in ConnectionMade, for a connection that is TLS from its first
// byte, or later, typically right after writing (or reading) the plaintext
// that agreed on it: what the peer sent before its hello has been
// delivered already; nothing the protocol wrote earlier is encrypted.
//
// The protocol stays the same; its transport becomes the returned
// *TLSConn, handed over by calling MakeConnection again (BaseProtocol
// stores it), and only writes through that transport are encrypted.
// ConnectionMade is not called again.
//
// The handshake has DefaultTLSHandshakeTimeout; StartTLSTimeout sets
// another. config's callbacks run off the loop (see TLSConn). As the
// client, a server's request to renegotiate ends the connection with a
// *TLSError whatever config.Renegotiation says, as with ConnectTLS.
func (c *Conn) StartTLS(config *tls.Config) (*TLSConn, error) {
	return c.StartTLSTimeout(config, 0)
}

// StartTLSTimeout is StartTLS with a bound on the handshake, as
// WithHandshakeTimeout gives a TLS port's: 0 means
// DefaultTLSHandshakeTimeout, a negative duration no limit.
func (c *Conn) StartTLSTimeout(config *tls.Config, timeout time.Duration) (*TLSConn, error) {
	if c.flags&(fClosed|fDisconnecting|fWriteShutting|fConnecting) != 0 || c.proto == nil {
		return nil, ErrTLSStarted
	}
	if _, ok := c.proto.(*tlsLower); ok {
		return nil, ErrTLSStarted
	}
	server := c.extra == nil || c.extra.connector == nil
	if server && (config == nil || (len(config.Certificates) == 0 && config.GetCertificate == nil && config.GetConfigForClient == nil)) {
		return nil, errors.New("reactor: StartTLS as a server needs a certificate")
	}
	if !server {
		config = clientTLSConfig(config, c.extra.connector.dest.Host)
	}
	t := newTLSConn(c, c.proto, config, server, timeout)
	c.proto = t.lower()
	// The handshake and the protocol's new transport; ConnectionMade
	// has been called already.
	if t.timeout > 0 {
		t.timer = c.r.CallLater(t.timeout, t.handshakeTimedOut)
	}
	go t.handshake()
	t.app.MakeConnection(t)
	return t, nil
}
