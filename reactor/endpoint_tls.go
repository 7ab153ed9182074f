package reactor

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
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
// *ListenError naming it; so is one that is not a regular file (a FIFO,
// a device) or is larger than a PEM file can sensibly be (16 MiB).
func (e ServerEndpoint) ServerTLSConfig() (*tls.Config, error) {
	cert, err := loadKeyPair(e.CertKey, e.PrivateKey)
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

// loadKeyPair is tls.LoadX509KeyPair reading its files with readPEMFile.
func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := readPEMFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := readPEMFile(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// LoadCertPool reads a PEM file of certificate authorities (the file a
// tls: client endpoint's caCerts names), for a tls.Config's RootCAs. The
// file must be a regular file of at most 16 MiB: a FIFO or a device is
// refused at once, with an error naming it, rather than waited on or read
// without end. A file from which no certificate can be trusted is an error
// naming it and saying why: x509's reason for a certificate that does not
// parse, a PEM block that does not decode, or no certificate at all.
func LoadCertPool(file string) (*x509.CertPool, error) {
	data, err := readPEMFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, certPoolError(file, data)
	}
	return pool, nil
}

// certPoolError says why no certificate of file's data could be trusted,
// for LoadCertPool, whose AppendCertsFromPEM only says that none was:
// "no PEM certificate found" for a file holding a corrupt one sent its
// reader looking for the wrong mistake. The first certificate block that
// x509 refuses gives its reason; a BEGIN CERTIFICATE line that pem could
// not decode (bad base64, no END line) is named as such; a file of other
// blocks (a private key given for the CA file) says which. A bundle
// where some certificates parse is taken, as AppendCertsFromPEM takes it,
// so this runs only on the way to an error.
func certPoolError(file string, data []byte) error {
	var others []string
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		switch {
		case block.Type != "CERTIFICATE":
			if !slices.Contains(others, block.Type) {
				others = append(others, block.Type)
			}
		case len(block.Headers) != 0:
			return fmt.Errorf("%s: certificate could not be used: its PEM block has headers, which a certificate may not have", file)
		default:
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return fmt.Errorf("%s: certificate could not be parsed: %w", file, err)
			}
		}
	}
	if bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----")) {
		return fmt.Errorf("%s: certificate could not be parsed: its PEM block is malformed (bad base64, or no END line)", file)
	}
	if len(others) > 0 {
		return fmt.Errorf("%s: no PEM certificate found, only %s", file, strings.Join(others, ", "))
	}
	return errors.New(file + ": no PEM certificate found")
}

// maxPEMFile bounds what is read of a key or certificate file. The largest
// bundles of certificate authorities weigh well under a megabyte; the bound
// is there for a path given by mistake (/dev/zero, a disk image), which
// must end in an error, not in the memory of the process exhausted.
const maxPEMFile = 16 << 20

// readPEMFile reads a key or certificate file, which must be a regular
// file of at most maxPEMFile bytes. It opens with O_NONBLOCK, so that a
// FIFO with no writer (caCerts=/dev/stdin under a shell pipe, say) is
// refused instead of blocking the open, and checks the file it opened
// rather than the path, which could change in between.
func readPEMFile(file string) ([]byte, error) {
	// O_NOCTTY: a terminal named by mistake must not become the
	// controlling terminal of a process that has none (a daemon).
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %s, not a PEM file", file, fileKind(info.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPEMFile {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a PEM file", file, maxPEMFile>>20)
	}
	return data, nil
}

// fileKind names what a file that is not a regular one is, for an error.
func fileKind(mode os.FileMode) string {
	switch {
	case mode.IsDir():
		return "a directory"
	case mode&os.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&os.ModeSocket != 0:
		return "a socket"
	case mode&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}
