package main

import (
	"bytes"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/testcert"
)

// fetchFrom reads everything the server at addr sends over network.
func fetchFrom(t *testing.T, network, addr string) ([]byte, error) {
	t.Helper()
	conn, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return io.ReadAll(conn)
}

// A Unix socket cannot refuse a connection with a reset (its client would
// read a clean, empty poem and take it for a whole one), so at
// --max-conns the server stops accepting there: the next client waits in
// the listen queue, and gets its whole poem once the first one ends.
func TestServeMaxConnsOnUnixSocketQueues(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "gyre.sock")
	s := startServer(t, 1, "--listen", "unix:"+sock, "--max-conns", "1", "--slow", "--num-bytes", "1000", "--delay", "0.3", "library")
	want := embedded(t, "library")
	first, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	first.SetDeadline(time.Now().Add(10 * time.Second))
	head := make([]byte, 1000)
	if _, err := io.ReadFull(first, head); err != nil {
		t.Fatal(err) // admitted: its poem has begun
	}
	type result struct {
		data []byte
		err  error
	}
	second := make(chan result, 1)
	go func() {
		c, err := net.Dial("unix", sock)
		if err != nil {
			second <- result{nil, err}
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		second <- result{b, err}
	}()
	rest, err := io.ReadAll(first)
	if got := append(head, rest...); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("first client: %d bytes, %v", len(got), err)
	}
	if r := <-second; r.err != nil || !bytes.Equal(r.data, want) {
		t.Errorf("the client beyond --max-conns read %d bytes (%v), want the whole poem (%d) once a place was free", len(r.data), r.err, len(want))
	}
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, s.stderr.String())
	}
	if log := s.stderr.String(); !strings.Contains(log, "msg=stopped served=2 lost=0 refused=0") {
		t.Errorf("want two poems served and none refused:\n%s", log)
	}
}

// --listen serves one poem on every endpoint given: here a Unix socket
// (with its mode) and a TCP port, and the socket file is removed at exit.
func TestServeListenUnixAndTCP(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "gyre.sock")
	s := startServer(t, 2, "--listen", "unix:"+sock+":mode=0600", "--listen", "tcp:0:interface=127.0.0.1", "library")
	if s.addrs[0] != sock || !strings.HasPrefix(s.addrs[1], "127.0.0.1:") {
		t.Fatalf("serving on %q", s.addrs)
	}
	want := embedded(t, "library")
	for i, network := range []string{"unix", "tcp"} {
		got, err := fetchFrom(t, network, s.addrs[i])
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes, %v", network, len(got), err)
		}
	}
	s.waitLog("listen=" + sock)
	s.signal(syscall.SIGTERM)
	if code := s.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, s.stderr.String())
	}
	// The operator is told once, for the Unix socket only, that a poem cut
	// short cannot be told from a whole one there, and what --max-conns
	// does instead of refusing.
	if log := s.stderr.String(); strings.Count(log, "level=WARN msg=\"a Unix socket cannot reset") != 1 ||
		!strings.Contains(log, "as for a whole poem; beyond --max-conns, clients wait in the listen queue instead of being refused\" listen="+sock+"\n") {
		t.Errorf("no warning for the Unix socket alone:\n%s", log)
	}
	if _, err := net.Dial("unix", sock); err == nil {
		t.Fatal("socket still accepting after exit")
	}
}

func TestServeListenUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "tcp:http"}, `--listen: endpoint "tcp:http": port: expected a number from 0 to 65535, got "http"`},
		{[]string{"--listen", "tcp:0", "--port", "10000"}, "--port and --listen exclude each other"},
		{[]string{"--listen", "tcp:0", "--blocking"}, "--blocking serves plain TCP"},
		{[]string{"--listen", "unix:/tmp/x.sock", "--loops", "2", "library"}, "a Unix socket is served by one loop"},
		{[]string{"--listen", "tcp:0", "--listen", "tcp:0", "library", "orchard", "night-bus"}, "--listen given 2 times for 3 poems"},
	}
	for _, c := range cases {
		code, _, stderr := gyre(t, nil, append([]string{"serve"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 2 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	// Nothing was passed by socket activation: a clear error, status 1.
	code, _, stderr := gyre(t, nil, "serve", "--listen", "systemd:domain=INET:index=0", "library")
	if code != 1 || !strings.Contains(stderr, "no sockets were passed by socket activation") {
		t.Errorf("systemd without sockets: exit %d, %q", code, stderr)
	}
}

// Under systemd-socket-activate (Debian's systemd package), gyre serve
// serves on the socket it was handed, by index and by name.
func TestServeSystemdSocketActivate(t *testing.T) {
	tool, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Skip("systemd-socket-activate not installed (apt-get install systemd): socket activation is tested by hand in package reactor only")
	}
	for _, sel := range []string{"index=0", "name=poems"} {
		t.Run(sel, func(t *testing.T) {
			port := freePorts(t, 1)
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			cmd := exec.Command(tool, "-l", addr, "--fdname=poems", gyreBinary, "serve", "--listen", "systemd:domain=INET:"+sel, "orchard")
			// The tool starts gyre at the first connection only.
			s := startServerCmd(t, 0, cmd)
			s.waitLog("Listening on " + addr)
			for range 2 {
				got, err := fetchFrom(t, "tcp", addr)
				if err != nil || !bytes.Equal(got, embedded(t, "orchard")) {
					t.Fatalf("%d bytes, %v", len(got), err)
				}
			}
			s.signal(syscall.SIGTERM)
			if code := s.wait(10 * time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, s.stderr.String())
			}
			if !strings.Contains(s.stdout.String(), "Serving orchard on "+addr+".") {
				t.Errorf("stdout: %s", s.stdout.String())
			}
			if !strings.Contains(s.stderr.String(), "served=2") {
				t.Errorf("log: %s", s.stderr.String())
			}
		})
	}
}

// With --loops, --listen's TCP and TLS ports are shared by the loops
// through SO_REUSEPORT, but not with anyone else: a second gyre serve on
// the same endpoint, or a second endpoint of the same one, fails as with
// --loops 1 instead of joining the port and taking some of its clients.
func TestServeListenReusePortIsNotShared(t *testing.T) {
	port := strconv.Itoa(freePorts(t, 1))
	tcp := "tcp:" + port + ":interface=127.0.0.1"
	s := startServer(t, 1, "--loops", "2", "--listen", tcp, "library")
	cert, key := testcert.Loopback(t).WriteFiles(t, t.TempDir())
	for _, args := range [][]string{
		{"--loops", "2", "--listen", tcp, "orchard"},
		{"--loops", "2", "--listen", "tls:" + port + ":interface=127.0.0.1:privateKey=" + key + ":certKey=" + cert, "orchard"},
	} {
		if code, stderr := serveBriefly(t, args...); code != 1 || !strings.Contains(stderr, "Address already in use") {
			t.Errorf("second server %q: status %d, %q", args, code, stderr)
		}
	}
	s.signal(syscall.SIGTERM)
	s.wait(10 * time.Second)

	other := "tcp:" + strconv.Itoa(freePorts(t, 1)) + ":interface=127.0.0.1"
	code, stderr := serveBriefly(t, "--loops", "2", "--listen", other, "--listen", other, "library", "orchard")
	if code != 1 || !strings.Contains(stderr, "Address already in use") {
		t.Errorf("two poems on one endpoint: status %d, %q", code, stderr)
	}
}

// serveBriefly runs gyre serve with args, which should fail at once, and
// returns its status and stderr; one still serving after 3 s is stopped,
// and its status is -1.
func serveBriefly(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return runBriefly(t, exec.Command(gyreBinary, append([]string{"serve"}, args...)...))
}

// runBriefly is serveBriefly for a command of the test's making.
func runBriefly(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode(), stderr.String()
	case <-time.After(3 * time.Second):
		cmd.Process.Kill()
		<-done
		return -1, "still serving after 3 s: " + stderr.String()
	}
}

// A poem file or a Unix socket whose name holds a newline is announced on
// one "Serving" line, quoted, as the log quotes it: a reader of the lines
// must not see two.
func TestServeAnnouncesOneLinePerPort(t *testing.T) {
	dir := t.TempDir()
	poem := writeFile(t, "po\nem.txt", []byte("A poem.\n"))
	sock := filepath.Join(dir, "g\n.sock")
	s := startServer(t, 2, "--listen", "unix:"+sock, "--listen", "tcp:0:interface=127.0.0.1", poem)
	if s.names[0] != strconv.Quote(poem) || s.addrs[0] != strconv.Quote(sock) || s.names[1] != strconv.Quote(poem) {
		t.Errorf("serving %q on %q; want each name quoted on its own line:\n%s", s.names, s.addrs, s.stdout.String())
	}
	s.signal(syscall.SIGTERM)
	s.wait(10 * time.Second)
}

// --loops is checked against the descriptor limit with every listening
// socket a loop opens: one poem on three --listen endpoints takes three
// per loop, not one. Counted by the poems, 4 loops would need 80
// descriptors of the 80 allowed and start (they once did); they need 88,
// and are refused with the count they need.
func TestServeLoopsCountEveryListenEndpoint(t *testing.T) {
	tcp := "tcp:0:interface=127.0.0.1"
	cmd := exec.Command("/bin/sh", "-c", `ulimit -n 80 && exec "$0" serve --loops 4 --listen "$1" --listen "$1" --listen "$1" library`, gyreBinary, tcp)
	if code, stderr := runBriefly(t, cmd); code != 2 || !strings.Contains(stderr, "needs 88 descriptors (6 per loop") {
		t.Errorf("--loops 4 with 3 endpoints under ulimit -n 80: status %d, %q; want 2 and the 88 descriptors needed", code, stderr)
	}
}
