package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gyre/poetry"
	"gyre/reactor"
)

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running `gyre serve`.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	addrs  []string // from the "Serving NAME on ADDR." lines, in order
	names  []string
	stdout *lockedBuffer
	stderr *lockedBuffer
	exited chan struct{}
	code   int
}

var servingLine = regexp.MustCompile(`^Serving (.+) on (\S+)\.$`)

// startServer runs gyre serve with args and waits for its n "Serving"
// lines. The process is killed when the test ends if it is still running.
func startServer(t *testing.T, n int, args ...string) *server {
	t.Helper()
	return startServerCmd(t, n, exec.Command(gyreBinary, append([]string{"serve"}, args...)...))
}

// startCommand runs the gyre command sub with args and waits for its n
// "Serving" lines, as startServer does.
func startCommand(t *testing.T, sub string, n int, args ...string) *server {
	t.Helper()
	return startServerCmd(t, n, exec.Command(gyreBinary, append([]string{sub}, args...)...))
}

// startServerCmd is startServer for a command that runs gyre serve (under
// systemd-socket-activate, say).
func startServerCmd(t *testing.T, n int, cmd *exec.Cmd) *server {
	t.Helper()
	args := cmd.Args
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			cmd.Process.Kill()
			<-s.exited
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.stdout.Write([]byte(sc.Text() + "\n"))
			lines <- sc.Text()
		}
		close(lines)
		// The pipe is closed: now Wait may reap the process.
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			s.code = ee.ExitCode()
		}
		close(s.exited)
	}()
	timeout := time.After(10 * time.Second)
	for len(s.addrs) < n {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("%q ended before serving: %s", args, s.stderr.String())
			}
			if m := servingLine.FindStringSubmatch(line); m != nil {
				s.names = append(s.names, m[1])
				s.addrs = append(s.addrs, m[2])
			}
		case <-timeout:
			t.Fatalf("%q: no %d Serving lines within 10 s; stderr: %s", args, n, s.stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

func (s *server) signal(sig os.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
}

// wait waits (at most d) for the server to exit and returns its status.
func (s *server) wait(d time.Duration) int {
	s.t.Helper()
	select {
	case <-s.exited:
		return s.code
	case <-time.After(d):
		s.t.Fatalf("gyre serve did not exit within %v; stderr: %s", d, s.stderr.String())
	}
	return -1
}

// signalAndWait sends sig to cmd and waits at most 10 s for it to exit;
// a gyre still running then is killed and fails the test.
func signalAndWait(t *testing.T, cmd *exec.Cmd, sig os.Signal) {
	t.Helper()
	cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("gyre %q still running 10 s after %v", cmd.Args[1:], sig)
	}
}

// waitLog waits (at most 10 s) for the server's stderr to contain want.
func (s *server) waitLog(want string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stderr.String(), want) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the log never said %q: %s", want, s.stderr.String())
		}
		select {
		case <-s.exited:
			if !strings.Contains(s.stderr.String(), want) {
				s.t.Fatalf("gyre serve exited without logging %q: %s", want, s.stderr.String())
			}
		case <-time.After(20 * time.Millisecond): // the log is flushed every 200 ms
		}
	}
}

// download is what a client got from a server.
type download struct {
	data  []byte
	reads []time.Time // when each read returned data
	start time.Time
	end   time.Time // end of file (or the error)
	err   error
}

// fetchPoem reads everything addr sends, within 10 s.
func fetchPoem(t *testing.T, addr string) download {
	t.Helper()
	var d download
	d.start = time.Now()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		d.err = err
		return d
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64<<10)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			d.data = append(d.data, buf[:n]...)
			d.reads = append(d.reads, time.Now())
		}
		if err != nil {
			d.end = time.Now()
			if err != io.EOF {
				d.err = err
			}
			return d
		}
	}
}

// connect opens a connection to addr, for a client that reads later.
func connect(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readAll reads conn to its end, within 10 s.
func readAll(t *testing.T, conn net.Conn) ([]byte, error) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	return io.ReadAll(conn)
}

func embedded(t *testing.T, name string) []byte {
	t.Helper()
	p, err := poetry.Poem(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeFile writes data into a new file of the test's temporary
// directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// freePorts finds n consecutive free loopback ports, holding none of them.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		first := ln.Addr().(*net.TCPAddr).Port
		held := []net.Listener{ln}
		ok := first+n-1 <= 65535
		for i := 1; i < n && ok; i++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(first+i)))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatal("no run of free ports")
	return 0
}

// refused is a loopback address where nothing listens.
func refused(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// isRefused reports whether nothing listens at addr any more.
func isRefused(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// slowServers runs slow poetry servers inside the test process (numBytes
// every delay), one per poem, until the test ends.
func slowServers(t *testing.T, numBytes int, delay time.Duration, poems ...[]byte) []string {
	t.Helper()
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, p := range poems {
		port, err := r.ListenTCP("127.0.0.1:0", poetry.NewSlowServerFactory(r, p, numBytes, delay))
		if err != nil {
			r.Close()
			t.Fatal(err)
		}
		addrs = append(addrs, port.Addr().String())
	}
	go r.Run()
	t.Cleanup(func() {
		r.Stop()
		select {
		case <-r.Done():
		case <-time.After(5 * time.Second):
		}
	})
	return addrs
}

// silent is a server that accepts and never sends.
func silent(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// heldPort returns a port on 127.0.0.1 that a listener holds until the
// test ends, for the commands that must find it in use.
func heldPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
