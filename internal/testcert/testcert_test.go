package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

// The certificate verifies, against its own pool, for every loopback name
// a test may dial, and its PEM files load as a key pair.
func TestLoopbackVerifiesForEveryLoopbackName(t *testing.T) {
	c := Loopback(t)
	if Loopback(t) != c {
		t.Error("a second call made another certificate")
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		_, err := c.TLS.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: c.Pool})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	certFile, keyFile := c.WriteFiles(t, t.TempDir())
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		t.Errorf("the PEM files do not load: %v", err)
	}
}
