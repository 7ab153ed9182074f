package reactor

import (
	"bytes"
	"crypto/tls"
	"io"
	"testing"
)

// One large Write over TLS reaches the peer whole, and the loop's buffer
// for outgoing records stays at its size: it grew to the ciphertext of
// the largest Write ever made (some 17 MB after a 16 MiB one) and was
// kept for the reactor's life.
func TestTLSLargeWriteLeavesScratchBounded(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	payload := pattern(16 << 20)
	srv := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, _ []byte) {
			p.Transport.Write(payload)
			p.Transport.LoseConnection()
		}}
	}}
	port := listenTLS(t, r, srv)
	got := make(chan []byte, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := tls.Dial("tcp", port.Addr().String(), testCerts(t).clientConfig())
		if err != nil {
			t.Error(err)
			got <- nil
			return
		}
		defer c.Close()
		c.Write([]byte("go"))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	run(t, r)
	if b := <-got; !bytes.Equal(b, payload) {
		t.Errorf("client read %d bytes, not the %d written", len(b), len(payload))
	}
	if n := cap(r.scratch.tlsOut); n > tlsOutSize {
		t.Errorf("the loop keeps a %d-byte buffer for outgoing records after a %d-byte write", n, len(payload))
	}
}
