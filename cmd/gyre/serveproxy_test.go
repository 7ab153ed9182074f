package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"
	"gyre/internal/testcert"
)

var metricsAttr = regexp.MustCompile(`metrics=(127\.0\.0\.1:\d+)`)

// startProxied runs gyre serve --proxy-protocol --metrics on the library
// poem and returns it with the metrics address.
func startProxied(t *testing.T, args ...string) (*server, string) {
	t.Helper()
	s := startServer(t, 1, append([]string{"--proxy-protocol", "--proxy-timeout", "0.3", "--metrics", "127.0.0.1:0"}, args...)...)
	s.waitLog("msg=serving")
	m := metricsAttr.FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", s.stderr.String())
	}
	return s, m[1]
}

// withHeader connects to addr, writes hdr, and reads to the end.
func withHeader(t *testing.T, addr string, hdr []byte) ([]byte, error) {
	t.Helper()
	conn := connect(t, addr)
	if _, err := conn.Write(hdr); err != nil {
		return nil, err
	}
	return readAll(t, conn)
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Behind a balancer: the poem follows a v1 or v2 header and the log names
// the client the header gave; a client without a valid header is reset
// and counted, never served; /metrics and /healthz say so.
func TestServeProxyProtocol(t *testing.T) {
	s, maddr := startProxied(t)
	addr := s.addrs[0]
	poem := embedded(t, "library")

	got, err := withHeader(t, addr, []byte("PROXY TCP4 203.0.113.7 127.0.0.1 4242 10000\r\n"))
	if err != nil || !bytes.Equal(got, poem) {
		t.Fatalf("v1 client: %d bytes, %v", len(got), err)
	}
	v2, err := pp.HeaderProxyFromAddrs(2,
		&net.TCPAddr{IP: net.ParseIP("2001:db8::9"), Port: 5555},
		&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 10000}).Format()
	if err != nil {
		t.Fatal(err)
	}
	got, err = withHeader(t, addr, v2)
	if err != nil || !bytes.Equal(got, poem) {
		t.Fatalf("v2 client: %d bytes, %v", len(got), err)
	}
	s.waitLog("peer=203.0.113.7:4242 bytes=3014")
	s.waitLog("peer=[2001:db8::9]:5555 bytes=3014")

	// A plain poetry client (no header: timed out), and one that sends
	// something else: both reset, neither served a byte.
	for _, hdr := range [][]byte{nil, []byte("GET / HTTP/1.0\r\n\r\n")} {
		got, err := withHeader(t, addr, hdr)
		if !errors.Is(err, syscall.ECONNRESET) || len(got) != 0 {
			t.Errorf("client sending %q: %d bytes, %v; want a reset and nothing", hdr, len(got), err)
		}
	}
	s.waitLog("reason=timeout")
	s.waitLog("reason=missing")

	code, body := httpGet(t, "http://"+maddr+"/healthz")
	if code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	_, body = httpGet(t, "http://"+maddr+"/metrics")
	for _, want := range []string{
		`gyre_poems_served_total{loop="0"} 2`,
		`gyre_bytes_sent_total{loop="0"} 6028`,
		`gyre_proxy_rejected_total{loop="0",reason="timeout"} 1`,
		`gyre_proxy_rejected_total{loop="0",reason="missing"} 1`,
		`gyre_connections_in_flight{loop="0"} 0`,
		`gyre_serve_duration_seconds_count{loop="0"} 2`,
		`gyre_loop_timer_lag_seconds_bucket{loop="0",le="+Inf"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(s.stderr.String(), "msg=stopped served=2 lost=0 refused=0 bytes=6028 proxy_rejected=2") {
		t.Errorf("no totals:\n%s", s.stderr.String())
	}
}

// A client behind the balancer that shuts its sending side once the header
// is out (as `nc -N` does, and HAProxy passes on) still gets the whole slow
// poem. The header's wrapper hid the poetry server's half-close handling,
// so the client's end of file ended the connection: 200 of 3,014 bytes
// and a clean close.
func TestServeProxyProtocolHalfClose(t *testing.T) {
	s, _ := startProxied(t, "--slow", "--num-bytes", "1000", "--delay", "0.05")
	conn := connect(t, s.addrs[0])
	if _, err := conn.Write([]byte("PROXY TCP4 203.0.113.9 127.0.0.1 4242 10000\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, conn)
	if err != nil || !bytes.Equal(got, embedded(t, "library")) {
		t.Fatalf("half-closed client: %d bytes, %v", len(got), err)
	}
	s.waitLog("peer=203.0.113.9:4242 bytes=3014")
}

// A flood of connections to --metrics cannot take the descriptors the
// poems need: the endpoint holds at most opsMaxConns, the others wait in
// its listen queue, and a poem client is served. Unbounded, 300 idle
// scrapers took every descriptor of a server allowed 256, and the poem
// port accepted no one.
func TestServeMetricsFloodLeavesPoems(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", `ulimit -n 256 && exec "$0" serve --metrics 127.0.0.1:0 library`, gyreBinary)
	s := startServerCmd(t, 1, cmd)
	s.waitLog("msg=serving")
	maddr := metricsAttr.FindStringSubmatch(s.stderr.String())[1]
	var flood []net.Conn
	defer func() {
		for _, c := range flood {
			c.Close()
		}
	}()
	for range 300 {
		c, err := net.DialTimeout("tcp", maddr, 5*time.Second)
		if err != nil {
			break // the listen queue is full: enough
		}
		c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
		flood = append(flood, c)
	}
	time.Sleep(200 * time.Millisecond)
	got, err := readAll(t, connect(t, s.addrs[0]))
	if err != nil || !bytes.Equal(got, embedded(t, "library")) {
		t.Fatalf("a poem client beside %d metrics connections: %d bytes, %v", len(flood), len(got), err)
	}
}

// A connection still waiting for its header when the grace runs out is
// cut by the shutdown, and counted and logged as such (lost, cut=1): it
// was counted as a connection rejected for a missing header.
func TestServeProxyProtocolCutBeforeHeader(t *testing.T) {
	s := startServer(t, 1, "--proxy-protocol", "--proxy-timeout", "30", "--grace", "0.2", "library")
	s.waitLog("msg=serving")
	conn := connect(t, s.addrs[0]) // sends no header
	time.Sleep(100 * time.Millisecond)
	s.signal(syscall.SIGTERM)
	if got, err := readAll(t, conn); !isReset(err) || len(got) != 0 {
		t.Errorf("the cut client read %d bytes and %v, want a reset and nothing", len(got), err)
	}
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	log := s.stderr.String()
	for _, want := range []string{
		`msg="cut before its PROXY protocol header"`,
		`bytes=0 outcome="lost: cut: grace period over"`,
		"level=WARN msg=stopped served=0 lost=1 refused=0 bytes=0 proxy_rejected=0 cut=1",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s", want)
		}
	}
	if strings.Contains(log, "rejected: ") {
		t.Error("the cut connection is logged as rejected")
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}

// Draining: on SIGTERM the port closes at once and /healthz turns 503
// while a poem in flight (a client that does not read a large poem) still
// has its grace; then the grace ends and gyre exits.
func TestServeDrainHealthz(t *testing.T) {
	big := writeFile(t, "big.txt", bytes.Repeat([]byte("a line of a long poem\n"), 8<<20/22))
	s := startServer(t, 1, "--proxy-protocol", "--metrics", "127.0.0.1:0", "--grace", "3", big)
	s.waitLog("msg=serving")
	maddr := metricsAttr.FindStringSubmatch(s.stderr.String())[1]
	stalled := connect(t, s.addrs[0])
	if _, err := stalled.Write([]byte("PROXY TCP4 203.0.113.8 127.0.0.1 4242 10000\r\n")); err != nil {
		t.Fatal(err)
	}
	// One byte read: the poem has begun, and the client reads no more.
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(stalled, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	s.signal(syscall.SIGTERM)
	s.waitLog("in_flight=1")
	if !isRefused(s.addrs[0]) {
		t.Error("the port still accepts after SIGTERM")
	}
	code, body := httpGet(t, "http://"+maddr+"/healthz")
	if code != http.StatusServiceUnavailable || body != "draining\n" {
		t.Errorf("/healthz while draining: %d %q", code, body)
	}
	if code := s.wait(15 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(s.stderr.String(), "peer=203.0.113.8:4242") {
		t.Errorf("the cut client is not logged with its own address:\n%s", s.stderr.String())
	}
}

func TestServeDeployFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--proxy-timeout", "1"}, "gyre: --proxy-timeout applies only with --proxy-protocol\n"},
		{[]string{"serve", "--proxy-protocol", "--proxy-timeout", "0"}, "gyre: --proxy-timeout must be more than 0, not 0s\n"},
		{[]string{"serve", "--blocking", "--proxy-protocol"}, "gyre: --proxy-protocol needs the reactor server: it does not apply with --blocking\n"},
		{[]string{"serve", "--blocking", "--metrics", "127.0.0.1:0"}, "gyre: --metrics needs the reactor server: it does not apply with --blocking\n"},
		{[]string{"serve", "--metrics", "no-port"}, ""},
	} {
		code, stdout, stderr := gyre(t, nil, tt.args...)
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "gyre: ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("gyre %q: status %d, stdout %q, stderr %q; want status 2 and one line", tt.args, code, stdout, stderr)
		}
		if tt.want != "" && stderr != tt.want {
			t.Errorf("gyre %q: stderr %q, want %q", tt.args, stderr, tt.want)
		}
	}
}

// --proxy-protocol applies to --listen endpoints too (the systemd units
// use both).
func TestServeProxyProtocolOnEndpoint(t *testing.T) {
	s := startServer(t, 1, "--proxy-protocol", "--listen", "tcp:0:interface=127.0.0.1", "library")
	got, err := withHeader(t, s.addrs[0], []byte("PROXY TCP4 198.51.100.4 127.0.0.1 6000 10000\r\n"))
	if err != nil || !bytes.Equal(got, embedded(t, "library")) {
		t.Fatalf("proxied client: %d bytes, %v", len(got), err)
	}
	s.waitLog("peer=198.51.100.4:6000 bytes=3014")
	got, err = withHeader(t, s.addrs[0], []byte("hello\r\n"))
	if !errors.Is(err, syscall.ECONNRESET) || len(got) != 0 {
		t.Errorf("client without a header: %d bytes, %v; want a reset", len(got), err)
	}
}

// headerFirst is a client connection that sends hdr in clear text before
// anything else, in the same write as the first bytes when together.
type headerFirst struct {
	net.Conn
	hdr      []byte
	together bool
}

func (c *headerFirst) Write(b []byte) (int, error) {
	if c.hdr != nil && c.together {
		hdr := c.hdr
		c.hdr = nil
		n, err := c.Conn.Write(append(hdr, b...))
		return max(n-len(hdr), 0), err
	}
	return c.Conn.Write(b)
}

// --proxy-protocol on a tls: endpoint: the header comes in clear text and
// the TLS handshake after it on the same connection, as HAProxy sends
// them to a server with ssl (send-proxy, send-proxy-v2), whether the
// header and the client's hello arrive apart or in one segment. The
// header was expected inside the TLS stream: HAProxy's connections failed
// their handshake.
func TestServeProxyProtocolTLS(t *testing.T) {
	cert, key := testcert.Loopback(t).WriteFiles(t, t.TempDir())
	pemCert, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCert)
	s := startServer(t, 1, "--proxy-protocol", "--listen", "tls:0:privateKey="+key+":certKey="+cert+":interface=127.0.0.1:handshakeTimeout=0.5", "library")
	for i, together := range []bool{false, true} {
		hdr := fmt.Appendf(nil, "PROXY TCP4 198.51.100.%d 127.0.0.1 6000 10000\r\n", 4+i)
		conn := connect(t, s.addrs[0])
		hc := &headerFirst{Conn: conn, hdr: hdr, together: together}
		if !together {
			if _, err := conn.Write(hdr); err != nil {
				t.Fatal(err)
			}
			hc.hdr = nil
		}
		tc := tls.Client(hc, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
		got, err := readAll(t, tc)
		if err != nil || !bytes.Equal(got, embedded(t, "library")) {
			t.Errorf("header and hello together %v: the client got %d bytes, %v", together, len(got), err)
		}
		s.waitLog(fmt.Sprintf("peer=198.51.100.%d:6000 bytes=3014", 4+i))
	}
	if log := s.stderr.String(); strings.Contains(log, "outcome=\"lost") || strings.Contains(log, "rejected") {
		t.Errorf("log:\n%s", log)
	}
	// The endpoint's handshake timeout still bounds the handshake that
	// starts after the header.
	conn := connect(t, s.addrs[0])
	if _, err := conn.Write([]byte("PROXY TCP4 198.51.100.9 127.0.0.1 6000 10000\r\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := readAll(t, conn)
	if took := time.Since(start); len(got) != 0 || !errors.Is(err, syscall.ECONNRESET) || took > 5*time.Second {
		t.Errorf("a client that never starts its handshake got %d bytes and %v after %v, want a reset after 0.5 s", len(got), err, took)
	}
}
