package reactor

import (
	"crypto/tls"
	"errors"
	"time"
)

// WithHandshakeTimeout sets how long a TLS port gives each handshake
// (default DefaultTLSHandshakeTimeout; a negative duration means no
// limit). Other listeners ignore it.
func WithHandshakeTimeout(d time.Duration) ListenOption {
	return func(c *listenConfig) { c.handshakeTimeout = d }
}

// ListenTLS is ListenTCP with TLS: each connection accepted runs a TLS
// server handshake with config (which must have a certificate) and its
// protocol's transport is a *TLSConn. The protocol starts at once (its
// ConnectionMade may write: the data goes out encrypted once the
// handshake is over); a handshake that fails or times out ends the
// connection with a *TLSError. config's callbacks run off the loop (see
// TLSConn).
func (r *Reactor) ListenTLS(addr string, config *tls.Config, factory Factory, opts ...ListenOption) (*Port, error) {
	r.checkLoop("ListenTLS")
	if config == nil || (len(config.Certificates) == 0 && config.GetCertificate == nil && config.GetConfigForClient == nil) {
		return nil, &ListenError{Path: addr, Err: errors.New("TLS needs a certificate (tls.Config.Certificates)")}
	}
	var cfg listenConfig
	for _, o := range opts {
		o(&cfg)
	}
	p, err := r.ListenTCP(addr, factory, opts...)
	if err != nil {
		return nil, err
	}
	p.makeTLS(config, cfg.handshakeTimeout)
	return p, nil
}

// makeTLS has the port wrap each connection in a TLS server layer.
func (p *Port) makeTLS(config *tls.Config, timeout time.Duration) {
	p.wrap = func(c *Conn, proto Protocol) Protocol {
		return newTLSConn(c, proto, config, true, timeout).lower()
	}
}

// ConnectTLS is ConnectTCP with TLS: once connected, a TLS client
// handshake runs with config (its ServerName defaults to the host of
// addr) and the protocol's transport is a *TLSConn. The connector reports
// the TCP connection (ClientConnectionFailed is about connecting); a
// handshake that fails ends the protocol's connection with a *TLSError.
// So does a TLS 1.2 server's request to renegotiate, whatever
// config.Renegotiation says: crypto/tls renegotiates with a blocking
// handshake, which cannot run on the loop (StartTLS refuses it too).
// timeout bounds the connection and, separately, the handshake. config's
// callbacks run off the loop (see TLSConn).
func (r *Reactor) ConnectTLS(addr string, config *tls.Config, factory ClientFactory, timeout time.Duration) *Connector {
	r.checkLoop("ConnectTLS")
	mustHaveFactory(addr, factory)
	c, err := newConnector(r, addr, factory, timeout)
	c.makeTLS(config, timeout)
	if err != nil {
		c.failInput(err)
		return c
	}
	c.Connect()
	return c
}

// makeTLS has the connector wrap its connection in a TLS client layer.
func (c *Connector) makeTLS(config *tls.Config, timeout time.Duration) {
	config = clientTLSConfig(config, c.dest.Host)
	c.wrap = func(conn *Conn, proto Protocol) Protocol {
		return newTLSConn(conn, proto, config, false, timeout).lower()
	}
}
