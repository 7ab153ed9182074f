package reactor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"
)

// bigClientCertificate is a self-signed client certificate padded with an
// extension to about size bytes: a certificate message larger than
// maxHandshakeInput, which crypto/tls still accepts (up to 256 KiB).
func bigClientCertificate(t *testing.T, size int) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "gyre big client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: make([]byte, size)}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// A handshake message larger than maxHandshakeInput plus a read (a
// client certificate of 240 KiB) completes: the socket, no longer read
// once that much waits, is read again when the handshake has taken it
// all. It was read again only at the end of the handshake, which could
// not end without the rest of the message: it stalled until its timeout.
func TestTLSHandshakeMessageOverInputBound(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		config := testCerts(t).serverConfig()
		config.ClientAuth = tls.RequireAnyClientCert
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.Write([]byte("poem"))
				p.Transport.LoseConnection()
			}}
		}}
		port, err := r.ListenTLS("127.0.0.1:0", config, srv, WithHandshakeTimeout(testTimeout/2))
		if err != nil {
			t.Fatal(err)
		}
		defer port.StopListening()
		client := testCerts(t).clientConfig()
		client.Certificates = []tls.Certificate{bigClientCertificate(t, 240<<10)}
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
		}
		start := time.Now()
		r.ConnectTLS(port.Addr().String(), client, cf, testTimeout)
		run(t, r)
		if len(cf.protos) != 1 {
			t.Fatalf("%d client protocols, failures %v", len(cf.protos), cf.failed)
		}
		c := cf.protos[0]
		if err := c.lostOnce(t); string(c.data) != "poem" || err != ErrConnectionDone {
			t.Errorf("client got %q, lost after %v: %v", c.data, time.Since(start).Round(time.Millisecond), err)
		}
	})
}
