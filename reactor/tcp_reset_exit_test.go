package reactor

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// lingerOf reads SO_LINGER from a socket.
func lingerOf(t testing.TB, fd int) unix.Linger {
	t.Helper()
	l, err := unix.GetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER)
	if err != nil {
		t.Fatal(err)
	}
	return *l
}

// WithResetOnExit: a clean end is still clean, with everything written
// delivered, on every backend; the connection carries SO_LINGER 0 while
// it is open.
func TestResetOnExitCleanEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var armed unix.Linger
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				armed = lingerOf(t, p.conn().Fd())
				p.Transport.Write([]byte("a whole poem\n"))
				p.Transport.LoseConnection()
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv, WithResetOnExit())
		got := goReadAll(t, r, port.Addr())
		run(t, r)
		if s := <-got; s != "a whole poem\n" {
			t.Errorf("client read %q", s)
		}
		if armed.Onoff != 1 || armed.Linger != 0 {
			t.Errorf("SO_LINGER of an open connection: %+v", armed)
		}
	})
}

// resetHelperEnv makes the test binary the dying server of
// TestResetOnExitWhenTheProcessDies.
const resetHelperEnv = "GYRE_TEST_RESET_ON_EXIT_SERVER"

// The server process is killed with a connection open, half a poem sent:
// the client gets a reset, not the clean end the kernel would send.
func TestResetOnExitWhenTheProcessDies(t *testing.T) {
	if os.Getenv(resetHelperEnv) != "" {
		dyingServer()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestResetOnExitWhenTheProcessDies$")
	cmd.Env = append(os.Environ(), resetHelperEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", strings.TrimSpace(addr), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	// The server answers only once it has heard from the client: a reset
	// sent at accept could reach the client before its connect returned.
	if _, err := c.Write([]byte("?")); err != nil {
		t.Fatal(err)
	}
	b, err := readAll(c)
	cmd.Wait()
	if string(b) != "half a po" || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read %q, %v; want half a poem and a reset", b, err)
	}
}

// dyingServer listens with WithResetOnExit, prints its address, and when
// a client asks, writes half a poem and kills its own process.
func dyingServer() {
	r, err := New()
	if err != nil {
		os.Exit(2)
	}
	srv := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, _ []byte) {
			p.Transport.Write([]byte("half a po"))
			r.CallLater(0, func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) })
		}}
	}}
	port, err := r.ListenTCP("127.0.0.1:0", srv, WithResetOnExit())
	if err != nil {
		os.Exit(2)
	}
	os.Stdout.WriteString(port.Addr().String() + "\n")
	r.Run()
}

// An end by error keeps its reset on an armed port: a ConnectionMade that
// panics after writing part of an answer resets the client, with
// WithResetOnExit as without (the clean close that disarms is for ends
// that are meant).
func TestResetOnExitKeepsTheResetOfAnError(t *testing.T) {
	// The second panic's error wraps ErrConnectionDone: still a panic, and
	// still a reset (it was taken for the peer's end of stream).
	panics := []any{"the poet stopped", fmt.Errorf("the poet stopped: %w", ErrConnectionDone)}
	for i, opts := range [][]ListenOption{nil, {WithResetOnExit()}, nil, {WithResetOnExit()}} {
		r, logs := newReactor(t, DefaultBackend())
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.Write([]byte("half a po"))
				panic(panics[i/2])
			}}
		}}
		port := listen(t, r, srv, opts...)
		errc := make(chan error, 1)
		go func() {
			defer r.CallFromGoroutine(func() { r.Stop() })
			c := goDial(t, port.Addr())
			if c == nil {
				errc <- syscall.ECONNRESET // reset before connect returned
				return
			}
			_, err := readAll(c)
			errc <- err
		}()
		run(t, r)
		if err := <-errc; !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("panic %d, armed %v: the client read to %v, want a reset", i/2, len(opts) > 0, err)
		}
		if !strings.Contains(logs.String(), "the poet stopped") {
			t.Errorf("the panic was not logged:\n%s", logs)
		}
	}
}
