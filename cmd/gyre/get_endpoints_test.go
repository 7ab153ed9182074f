package main

import (
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/testcert"
)

// gyre serve over TLS and a Unix socket, gyre get through endpoint
// strings: --ca trusts the server, --insecure skips the check, no trust
// at all fails with crypto/tls's reason.
func TestGetEndpointsTLSAndUnix(t *testing.T) {
	cert, key := testcert.Loopback(t).WriteFiles(t, t.TempDir())
	sock := filepath.Join(t.TempDir(), "g.sock")
	s := startServer(t, 2, "--listen", "tls:0:privateKey="+key+":certKey="+cert+":interface=127.0.0.1", "--listen", "unix:"+sock, "orchard")
	_, port, _ := net.SplitHostPort(s.addrs[0])
	tlsEP := "tls:host=127.0.0.1:port=" + port
	want := string(embedded(t, "orchard"))

	code, out, stderr := gyre(t, nil, "get", "--print", "--ca", cert, tlsEP)
	if code != 0 || out != want {
		t.Fatalf("--ca: exit %d, %d bytes, stderr %q", code, len(out), stderr)
	}
	code, out, stderr = gyre(t, nil, "get", "--insecure", tlsEP, "unix:path="+sock)
	if code != 0 || !strings.Contains(out, "Task 1: got 608 bytes of poetry from "+tlsEP) || !strings.Contains(out, "from unix:path="+sock) {
		t.Fatalf("--insecure and unix: exit %d, %q %q", code, out, stderr)
	}
	code, out, _ = gyre(t, nil, "get", tlsEP+":caCerts="+cert)
	if code != 0 || !strings.Contains(out, "Got 1 poems") {
		t.Fatalf("caCerts: exit %d, %q", code, out)
	}
	code, out, stderr = gyre(t, nil, "get", tlsEP)
	if code != 1 || !strings.Contains(out+stderr, "TLS handshake failed: tls: failed to verify certificate") {
		t.Fatalf("untrusted: exit %d, %q %q", code, out, stderr)
	}
	s.signal(syscall.SIGTERM)
	if c := s.wait(10 * time.Second); c != 0 {
		t.Fatalf("serve exit %d", c)
	}
}

func TestGetEndpointUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"tls:host=h"}, `endpoint "tls:host=h": port: missing`},
		{[]string{"--mode", "async", "unix:path=/x"}, "endpoints are fetched with --mode reactor only"},
		{[]string{"--ca", "x.pem", "10000"}, "--ca and --insecure apply to tls: endpoints only"},
		{[]string{"--ca", "/nonexistent.pem", "tls:host=h:port=1"}, "--ca: open /nonexistent.pem"},
		{[]string{"--ca", "a", "--insecure", "tls:host=h:port=1"}, "exclude each other"},
		// An endpoint's own caCerts= was silently replaced by --ca or
		// --insecure.
		{[]string{"--ca", "a.pem", "tls:host=h:port=1:caCerts=b.pem"}, "tls:host=h:port=1:caCerts=b.pem: caCerts= and --ca/--insecure exclude each other"},
		{[]string{"--insecure", "tcp:host=h:port=2", "tls:host=h:port=1:caCerts=b.pem"}, "caCerts= and --ca/--insecure exclude each other"},
	}
	for _, c := range cases {
		code, _, stderr := gyre(t, nil, append([]string{"get"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
