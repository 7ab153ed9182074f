// Package testcert makes the TLS certificate gyre's tests serve with, so
// that each test package does not carry its own copy of the same x509
// template: one self-signed certificate for the loopback addresses
// (127.0.0.1, ::1 and localhost), made once per test binary, with the pool
// that trusts it and its PEM encoding for tests that hand files to a
// program (tls: endpoints, gyre get --ca).
//
// The certificate is its own authority (IsCA, with the certSign usage), so
// a client that trusts it verifies the server against it directly, as it
// would a private CA's. It is valid from an hour ago to a day from now:
// long enough for any test run, short enough that a copy left in a
// temporary directory is useless.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Cert is the loopback certificate in the forms tests need.
type Cert struct {
	TLS     tls.Certificate // certificate and key, for tls.Config.Certificates
	Pool    *x509.CertPool  // trusts TLS's certificate, for a client's RootCAs
	CertPEM []byte          // the certificate, PEM-encoded
	KeyPEM  []byte          // its private key, PEM-encoded (PKCS #8)
}

var (
	once   sync.Once
	loop   *Cert
	errGen error
)

// Loopback returns the loopback certificate, making it on the first call
// of the test binary. A failure to make it fails the test.
func Loopback(t testing.TB) *Cert {
	t.Helper()
	once.Do(func() { loop, errGen = generate(time.Now()) })
	if errGen != nil {
		t.Fatalf("testcert: %v", errGen)
	}
	return loop
}

// generate makes a P-256 key and a self-signed certificate for the
// loopback addresses, valid around now.
func generate(now time.Time) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		IsCA:         true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &Cert{
		TLS:     tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		Pool:    pool,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}, nil
}

// ServerConfig returns a new server configuration serving the certificate.
func (c *Cert) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.TLS}}
}

// ClientConfig returns a new client configuration that trusts the
// certificate (the server name comes from the address dialled).
func (c *Cert) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: c.Pool}
}

// WriteFiles writes the certificate and its key as PEM files into dir (the
// key readable by its owner only) and returns their paths.
func (c *Cert) WriteFiles(t testing.TB, dir string) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, c.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, c.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
