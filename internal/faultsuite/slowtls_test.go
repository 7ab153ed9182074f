package faultsuite

import (
	"crypto/sha256"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// The slow server over TLS, as over TCP: a client that completes the
// handshake and then reads nothing holds the server's schedule back
// (nothing piles up in the server for it), and a client that closes its
// sending side (close_notify, as `nc -N` does over TLS) still gets the
// whole poem and a clean end. Over TLS both went wrong: the server
// encrypted the whole poem into its buffer for each stalled client (20 MB
// each for a 16 MB poem), and a client's close_notify was answered with
// ours at once, a clean end after the first chunk.
func TestSlowOverTLS(t *testing.T) {
	needLinux(t)
	const poemSize = 8 << 20
	poemPath, poem := writePoem(t, poemSize, 7)
	exe := progtest.Build(t, "./cmd/gyre")
	tr := transports(t)[0] // tls
	p := progtest.Start(t, exe, "serve", "--listen", tr.listen(t.TempDir()),
		"--slow", "--num-bytes", "65536", "--delay", "0.001", "--log-format", "json", poemPath)
	addr := p.WaitLine(anyServing, 30*time.Second)[1]
	s := &running{Proc: p, addr: addr}

	// A client that closes its sending side at once.
	c, err := tr.dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.(*tls.Conn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if r := readPoem(c, time.Now(), 60*time.Second); r.err != nil || r.sum != sha256.Sum256(poem) {
		t.Errorf("half-closed client: %v, %d of %d bytes", r.err, r.n, poemSize)
	}

	// Stalled readers, for long enough that the whole poem would be due.
	const stalled = 8
	rss0, _ := memory(t, s.Pid())
	var idle []net.Conn
	for range stalled {
		c, err := tr.dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	time.Sleep(time.Second)
	rss1, _ := memory(t, s.Pid())
	for _, c := range idle {
		c.Close()
	}
	perClient := (rss1 - rss0) / stalled
	t.Logf("%d stalled TLS readers: RSS %s -> %s (%s per client)", stalled, mib(rss0), mib(rss1), kib(perClient))
	if perClient > 2<<20 {
		t.Errorf("server memory grows %s per stalled TLS reader of the slow server", kib(perClient))
	}
	stopClean(t, s)
}
