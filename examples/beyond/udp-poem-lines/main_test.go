package main

import (
	"net"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/poetry"
	"gyre/reactor"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// The program, run for real on every backend, prints the poem it got line
// by line over UDP, byte for byte.
func TestPoemOverDatagrams(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	want, _ := poetry.Poem("library")
	for _, backend := range reactor.Backends() {
		res := progtest.RunWith(t, progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}}, 30*time.Second, exe, "library")
		if res.Code != 0 || res.Stdout != string(want) {
			t.Fatalf("%s: exit %d, %d bytes (want %d), stderr %q", backend, res.Code, len(res.Stdout), len(want), res.Stderr)
		}
	}
}

// A client whose server never answers gives up with one line.
func TestNoServer(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	res := progtest.Run(t, 30*time.Second, exe, "--server", "127.0.0.1:9", "--retry", "20ms")
	if res.Code != 1 || !strings.Contains(res.Stderr, "no answer from 127.0.0.1:9 for line 0") {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// A command line that cannot mean anything is refused with one line and
// status 2. These ran: a retry of 0 or less (five resends at once), extra
// poems and --serve with --server (both silently ignored).
func TestBadArguments(t *testing.T) {
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--retry", "-1s"}, "--retry -1s: must be more than 0"},
		{[]string{"--retry", "0s"}, "--retry 0s: must be more than 0"},
		{[]string{"orchard", "library"}, "one poem at most"},
		{[]string{"--serve", "--server", "127.0.0.1:1"}, "--serve runs a server, --server asks one elsewhere: not both"},
		{[]string{"--serve", "--port", "70000"}, "--port 70000: not a port number (0 to 65535)"},
		{[]string{"--port", "10000"}, "--port applies only with --serve"},
		{[]string{"--iface", "::1"}, "--iface applies only with --serve"},
	} {
		res := progtest.Run(t, 10*time.Second, exe, tc.args...)
		if want := "udp-poem-lines: " + tc.msg + "\n"; res.Code != 2 || res.Stderr != want || res.Stdout != "" {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", tc.args, res.Code, res.Stderr, want)
		}
	}
}

// A server on an IPv6 interface (--iface) serves a client that asks it
// (--server). --serve listened on 127.0.0.1 only, and the client
// resolved the server's address as IPv4 ("no suitable address found").
func TestIPv6Server(t *testing.T) {
	if ln, err := net.ListenPacket("udp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		ln.Close()
	}
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	srv := progtest.Start(t, exe, "--serve", "--iface", "::1", "library")
	addr := srv.WaitLine(regexp.MustCompile(`^Serving library line by line on udp (\S+)\.$`), 20*time.Second)[1]
	if !strings.HasPrefix(addr, "[::1]:") {
		t.Fatalf("serving on %s, want [::1]", addr)
	}
	want, _ := poetry.Poem("library")
	res := progtest.Run(t, 30*time.Second, exe, "--server", addr)
	if res.Code != 0 || res.Stdout != string(want) {
		t.Fatalf("exit %d, %d bytes (want %d), stderr %q", res.Code, len(res.Stdout), len(want), res.Stderr)
	}
}

// The client listens on every interface of the server's family, so that
// the system sends from an address that reaches the server. Its port was
// on 127.0.0.1, from which no datagram reaches another machine (sendto:
// invalid argument).
func TestClientAddr(t *testing.T) {
	for _, c := range []struct{ server, want string }{
		{"192.0.2.1:10000", "0.0.0.0:0"},
		{"127.0.0.1:10000", "0.0.0.0:0"},
		{"[::ffff:192.0.2.1]:10000", "0.0.0.0:0"},
		{"[2001:db8::1]:10000", "[::]:0"},
		{"[fe80::1%lo]:10000", "[::]:0"},
	} {
		ap := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(c.server))
		if got := clientAddr(ap); got != c.want {
			t.Errorf("clientAddr(%s) = %s, want %s", c.server, got, c.want)
		}
	}
}

// A server whose poem never ends (it answers every line, never END) makes
// the client give up once the poem passes its bound, with one line and
// status 1. The client held every line it was sent, a gigabyte within
// seconds.
func TestEndlessPoemBounded(t *testing.T) {
	srv, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		line := strings.Repeat("an endless line ", 4000) // 64,000 bytes
		buf := make([]byte, 64)
		for {
			n, addr, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			num, _ := strings.CutPrefix(string(buf[:n]), "LINE ")
			srv.WriteTo([]byte(num+" "+line), addr)
		}
	}()
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	res := progtest.Run(t, 30*time.Second, exe, "--server", srv.LocalAddr().String())
	if res.Code != 1 || !strings.Contains(res.Stderr, "is over 1048576 bytes (line 16): giving up") || res.Stdout != "" {
		t.Fatalf("exit %d, %d bytes out, stderr %q", res.Code, len(res.Stdout), res.Stderr)
	}
}

// A server whose poem never ends in empty lines grows nothing, and the
// client still gives up, past its bound on lines, with one line and
// status 1: it asked for the next line for ever, at full speed.
func TestEndlessEmptyLinesBounded(t *testing.T) {
	srv, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 64)
		for {
			n, addr, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			num, _ := strings.CutPrefix(string(buf[:n]), "LINE ")
			srv.WriteTo([]byte(num+" "), addr)
		}
	}()
	exe := progtest.Build(t, "./examples/beyond/udp-poem-lines")
	res := progtest.Run(t, 30*time.Second, exe, "--server", srv.LocalAddr().String())
	if res.Code != 1 || !strings.Contains(res.Stderr, "is over 16384 lines: giving up") || res.Stdout != "" {
		t.Fatalf("exit %d, %d bytes out, stderr %q", res.Code, len(res.Stdout), res.Stderr)
	}
}
