package reactor

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// listenTLSEndpoint loads the key and certificate files of a tls: server
// endpoint and listens.
func listenTLSEndpoint(r *Reactor, e ServerEndpoint, factory Factory, opts ...ListenOption) (*Port, error) {
	config, err := e.ServerTLSConfig()
	if err != nil {
		return nil, err
	}
	if e.HandshakeTimeout != 0 {
		opts = append(opts, WithHandshakeTimeout(e.HandshakeTimeout))
	}
	return r.ListenTLS(net.JoinHostPort(e.Interface, strconv.Itoa(e.Port)), config, factory, opts...)
}

// ServerTLSConfig loads the key and certificate files of a tls: server
// endpoint and returns the TLS configuration its port serves with, for a
// server that starts TLS itself on a TCP connection (StartTLSTimeout, with
// the endpoint's HandshakeTimeout): one that reads a PROXY protocol
// header in clear text first, say. A file that cannot be loaded is a
// *ListenError naming it.
func (e ServerEndpoint) ServerTLSConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(e.CertKey, e.PrivateKey)
	if err != nil {
		return nil, &ListenError{Interface: e.Interface, Port: e.Port, Err: fmt.Errorf("loading certKey %s and privateKey %s: %w", e.CertKey, e.PrivateKey, err)}
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// connectorTLS makes the connector of a tls: client endpoint: the server's
// certificate is checked against caCerts (else the system's roots) for the
// endpoint's host.
func connectorTLS(r *Reactor, e ClientEndpoint, f ClientFactory, timeout time.Duration) (*Connector, error) {
	addr := net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
	config := &tls.Config{ServerName: e.Host, MinVersion: tls.VersionTLS12}
	if e.TLSConfig != nil {
		config = e.TLSConfig
	} else if e.CACerts != "" {
		pool, err := LoadCertPool(e.CACerts)
		if err != nil {
			return nil, &ConnectError{Addr: addr, Err: err}
		}
		config.RootCAs = pool
	}
	c, err := newConnector(r, addr, f, timeout)
	if err != nil {
		return nil, &ConnectError{Addr: addr, Err: err}
	}
	c.makeTLS(config, timeout)
	return c, nil
}

// LoadCertPool reads a PEM file of certificate authorities.
func LoadCertPool(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, errors.New(file + ": no PEM certificate found")
	}
	return pool, nil
}
