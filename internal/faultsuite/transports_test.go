package faultsuite

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/internal/testcert"
	"gyre/reactor"
)

// The fault scenarios over the transports beyond TCP: gyre serve --listen
// tls:... and --listen unix:..., attacked by clients of the test process
// (crypto/tls over net, and plain Unix sockets): many clients at once get
// byte-identical poems, never-readers do not grow the server's memory
// without bound, resets and early closes are survived, clients that talk
// first still get the whole poem, and over TLS a stalled handshake is cut
// off by the handshake timeout while garbage instead of a ClientHello is
// refused, the server serving others all along.

// transport is one way of reaching gyre serve.
type transport struct {
	name   string
	listen func(dir string) string             // the --listen endpoint
	dial   func(addr string) (net.Conn, error) // a client connection, handshake done
}

var anyServing = regexp.MustCompile(`^Serving .* on (\S+)\.$`)

func transports(t *testing.T) []transport {
	cert := testcert.Loopback(t)
	certFile, keyFile := cert.WriteFiles(t, t.TempDir())
	pool := cert.Pool
	return []transport{
		{
			name: "tls",
			listen: func(string) string {
				return "tls:0:privateKey=" + keyFile + ":certKey=" + certFile + ":interface=127.0.0.1:handshakeTimeout=5"
			},
			dial: func(addr string) (net.Conn, error) {
				d := &net.Dialer{Timeout: 10 * time.Second}
				c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
				if err != nil {
					return nil, err
				}
				return c, nil
			},
		},
		{
			name:   "unix",
			listen: func(dir string) string { return "unix:" + filepath.Join(dir, "gyre.sock") },
			dial:   func(addr string) (net.Conn, error) { return net.DialTimeout("unix", addr, 10*time.Second) },
		},
	}
}

// fetchOver downloads one poem through tr and digests it.
func fetchOver(tr transport, addr string, timeout time.Duration) fetchResult {
	start := time.Now()
	c, err := tr.dial(addr)
	if err != nil {
		return fetchResult{err: err}
	}
	return readPoem(c, start, timeout)
}

func TestTransportFaults(t *testing.T) {
	needLinux(t)
	const poemSize = 2 << 20 // over 1 MiB: streamed from the file, as the poems
	poemPath, poem := writePoem(t, poemSize, 5)
	exe := progtest.Build(t, "./cmd/gyre")
	clients := size(40, 400)
	stalled := size(20, 200)
	for _, tr := range transports(t) {
		for _, backend := range backends() {
			t.Run(tr.name+"/"+backend, func(t *testing.T) {
				desc := tr.listen(t.TempDir())
				p := progtest.StartWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}}, exe,
					"serve", "--listen", desc, "--log-format", "json", poemPath)
				addr := p.WaitLine(anyServing, 30*time.Second)[1]
				s := &running{Proc: p, addr: addr}

				// Intact under load.
				results := make([]fetchResult, clients)
				var wg sync.WaitGroup
				for i := range clients {
					wg.Add(1)
					go func() { defer wg.Done(); results[i] = fetchOver(tr, addr, 60*time.Second) }()
				}
				wg.Wait()
				if ok, problems := summary(results, poem); ok != clients {
					t.Fatalf("%d of %d clients got the poem: %s", ok, clients, strings.Join(problems, "; "))
				}

				// Never-readers: handshake done (TLS), nothing read.
				rss0, _ := memory(t, s.Pid())
				var idle []net.Conn
				defer func() {
					for _, c := range idle {
						c.Close()
					}
				}()
				for i := range stalled {
					c, err := tr.dial(addr)
					if err != nil {
						t.Fatalf("never-reader %d: %v", i, err)
					}
					idle = append(idle, c)
				}
				if r := fetchOver(tr, addr, 30*time.Second); r.err != nil || r.sum != sha256.Sum256(poem) {
					t.Fatalf("client beside the never-readers: %v, %d bytes", r.err, r.n)
				}
				rss1, _ := memory(t, s.Pid())
				perClient := (rss1 - rss0) / int64(stalled)
				t.Logf("%s: %d never-readers: RSS %s -> %s (%s per client)", tr.name, stalled, mib(rss0), mib(rss1), kib(perClient))
				// A server that buffered the poem per client would grow
				// by about a MiB each.
				if perClient > 256<<10 {
					t.Errorf("server memory grows %s per never-reading client", kib(perClient))
				}
				// Resets mid-poem and early closes.
				for i := range 10 {
					c, err := tr.dial(addr)
					if err != nil {
						t.Fatal(err)
					}
					if i%2 == 0 {
						readSome(c, 1000, 10*time.Second)
						if uc, ok := netConn(c).(interface{ SetLinger(int) error }); ok {
							uc.SetLinger(0)
						}
					}
					c.Close()
				}
				// A talker: a megabyte of input, then it reads.
				c, err := tr.dial(addr)
				if err != nil {
					t.Fatal(err)
				}
				go func() { c.Write(make([]byte, 1<<20)) }()
				if r := readPoem(c, time.Now(), 30*time.Second); r.err != nil || r.sum != sha256.Sum256(poem) {
					t.Errorf("talker: %v, %d bytes", r.err, r.n)
				}
				if tr.name == "tls" {
					tlsHandshakeFaults(t, tr, addr, poem)
				}
				for _, c := range idle {
					c.Close()
				}
				idle = nil
				res := stopClean(t, s)
				out := outcomes(records(t, res.Stderr))
				t.Logf("%s outcomes: %v", tr.name, out)
				if out["done"] < clients+2 {
					t.Errorf("server logged %d done, want at least %d", out["done"], clients+2)
				}
			})
		}
	}
}

// tlsHandshakeFaults: a client that connects and says nothing, and one
// that sends HTTP instead of a ClientHello; both are cut off, and a
// normal client is served meanwhile.
func tlsHandshakeFaults(t *testing.T, tr transport, addr string, poem []byte) {
	silent, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	garbage, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer garbage.Close()
	garbage.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	if r := fetchOver(tr, addr, 30*time.Second); r.err != nil || r.sum != sha256.Sum256(poem) {
		t.Errorf("client beside a stalled handshake: %v", r.err)
	}
	for name, c := range map[string]net.Conn{"stalled handshake": silent, "garbage": garbage} {
		start := time.Now()
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: still connected after 20 s", name)
		}
		t.Logf("%s: cut off after %v (%v)", name, time.Since(start).Round(time.Millisecond), err)
	}
}

// netConn is the socket under a TLS client connection.
func netConn(c net.Conn) net.Conn {
	if tc, ok := c.(*tls.Conn); ok {
		return tc.NetConn()
	}
	return c
}
