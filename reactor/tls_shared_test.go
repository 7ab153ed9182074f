package reactor

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
)

// What a protocol writes with WriteShared during the handshake is kept by
// reference, not copied: a client that never says hello costs the server
// no copy of a poem every client is sent. It was copied, and 500 silent
// clients of a 1 MB poem held 500 MB until their handshakes timed out.
// Buffered still counts it, so that it is not taken for sent.
func TestTLSWriteSharedDuringHandshakeKeepsAReference(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	poem := pattern(1 << 20)
	var tc *TLSConn
	var shared bool
	var buffered int
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			tc = p.Transport.(*TLSConn)
			tc.WriteShared(poem)
			tc.LoseConnection()
			parts := tc.queue.parts
			shared = len(parts) == 1 && &parts[0][0] == &poem[0]
		}, onLost: func(p *recorder, _ error) {
			buffered = tc.Buffered()
			r.Stop()
		}}
	}}
	port := listenTLS(t, r, srv, WithHandshakeTimeout(100*time.Millisecond))
	c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout) // no hello
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run(t, r)
	if !shared {
		t.Error("the poem written with WriteShared during the handshake was copied")
	}
	if buffered != len(poem) {
		t.Errorf("Buffered at ConnectionLost = %d, want %d (nothing was sent)", buffered, len(poem))
	}
}

// Writes and shared writes made during the handshake reach the peer once
// it is over, in the order they were made; the shared bytes are never
// written into.
func TestTLSWritesDuringHandshakeInOrder(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	shared := []byte("-shared-")
	scratch := []byte("own1")
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			tc := p.Transport.(*TLSConn)
			tc.Write(scratch)
			copy(scratch, "XXXX") // Write copied it
			tc.Write([]byte("own2"))
			tc.WriteShared(shared[:4])
			tc.Write([]byte("own3"))
			tc.WriteShared(shared)
			tc.LoseConnection()
		}}
	}}
	port := listenTLS(t, r, srv)
	got := make(chan string, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := tls.Dial("tcp", port.Addr().String(), testCerts(t).clientConfig())
		if err != nil {
			t.Error(err)
			got <- ""
			return
		}
		defer c.Close()
		b, err := io.ReadAll(c)
		if err != nil {
			t.Error(err)
		}
		got <- string(b)
	}()
	run(t, r)
	if s, want := <-got, "own1own2-shaown3-shared-"; s != want {
		t.Errorf("client read %q, want %q", s, want)
	}
	if string(shared) != "-shared-" {
		t.Errorf("the shared bytes were written into: %q", shared)
	}
}
