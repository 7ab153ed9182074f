package reactor

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/deferred"
	"gyre/internal/progtest"
)

// greeter writes a line and closes: the server of the endpoint tests.
func greeter(line string) Factory {
	return FactoryFunc(func(net.Addr) Protocol {
		return &recorder{onMade: func(p *recorder) {
			p.Transport.Write([]byte(line))
			p.Transport.LoseConnection()
		}}
	})
}

// A server endpoint and a client endpoint of the same kind talk: the
// client's Deferred fires with its protocol after ConnectionMade, and the
// protocol then reads the server's line to the clean end.
func TestEndpointsTCPAndUnix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		sock := filepath.Join(t.TempDir(), "s.sock")
		for _, kind := range []string{"tcp", "unix"} {
			t.Run(kind, func(t *testing.T) {
				r, _ := newReactor(t, backend)
				serverDesc := "tcp:0:interface=127.0.0.1"
				if kind == "unix" {
					serverDesc = "unix:" + sock + ":mode=0600"
				}
				port, err := ListenEndpoint(r, serverDesc, greeter("hello "+kind+"\n"))
				if err != nil {
					t.Fatal(err)
				}
				defer port.StopListening()
				clientDesc := ""
				switch a := port.Addr().(type) {
				case *net.TCPAddr:
					clientDesc = fmt.Sprintf("tcp:host=127.0.0.1:port=%d:timeout=5", a.Port)
				case *net.UnixAddr:
					clientDesc = "unix:path=" + a.Name
					st, err := os.Stat(a.Name)
					if err != nil || st.Mode().Perm() != 0o600 {
						t.Errorf("socket file: %v, %v", st, err)
					}
				}
				var got *recorder
				var lost error
				proto := &recorder{onLost: func(p *recorder, reason error) { lost = reason; r.Stop() }}
				made := 0
				d := ConnectEndpoint(r, clientDesc, FactoryFunc(func(net.Addr) Protocol { return proto }))
				d.AddCallbacks(func(v any) (any, error) {
					got = v.(*recorder)
					made = got.made
					return nil, nil
				}, func(f *deferred.Failure) (any, error) {
					t.Errorf("connect failed: %v", f)
					r.Stop()
					return nil, nil
				})
				run(t, r)
				if got != proto || made != 1 {
					t.Fatalf("Deferred fired with %v (made %d), want the protocol after ConnectionMade", got, made)
				}
				if string(proto.data) != "hello "+kind+"\n" || !errors.Is(lost, ErrConnectionDone) {
					t.Fatalf("read %q, lost %v", proto.data, lost)
				}
				if kind == "unix" {
					if pa, ok := proto.Transport.Peer().(*net.UnixAddr); !ok || pa.Name != sock {
						t.Errorf("peer %v", proto.Transport.Peer())
					}
				}
			})
		}
	})
}

// The Deferred fails with the connect error, and cancelling it abandons
// the attempt.
func TestConnectEndpointFailsAndCancels(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		refused := progtest.RefusedAddr(t)
		host, port, _ := net.SplitHostPort(refused)
		var errRefused, errCancelled, errMissing, errBad error
		d := ConnectEndpoint(r, "tcp:host="+host+":port="+port, &BaseFactory{})
		d.AddErrback(func(f *deferred.Failure) (any, error) { errRefused = f; return nil, nil })
		d2 := ConnectEndpoint(r, "unix:path="+filepath.Join(t.TempDir(), "none"), &BaseFactory{})
		d2.AddErrback(func(f *deferred.Failure) (any, error) { errMissing = f; return nil, nil })
		d3 := ConnectEndpoint(r, "tcp:host=h", &BaseFactory{})
		d3.AddErrback(func(f *deferred.Failure) (any, error) { errBad = f; return nil, nil })
		// 192.0.2.1 (TEST-NET-1) is never answered: the attempt waits
		// until cancelled.
		d4 := ConnectEndpoint(r, "tcp:host=192.0.2.1:port=9", &BaseFactory{})
		d4.AddErrback(func(f *deferred.Failure) (any, error) { errCancelled = f; return nil, nil })
		r.CallLater(0, func() {
			d4.Cancel()
			r.CallLater(0, func() { r.Stop() })
		})
		run(t, r)
		if !errors.Is(errRefused, syscall.ECONNREFUSED) {
			t.Errorf("refused: %v", errRefused)
		}
		if !errors.Is(errMissing, syscall.ENOENT) {
			t.Errorf("missing socket: %v", errMissing)
		}
		var ee *EndpointError
		if !errors.As(errBad, &ee) || ee.Field != "port" {
			t.Errorf("bad description: %v", errBad)
		}
		if !errors.Is(errCancelled, ErrConnectCancelled) {
			t.Errorf("cancelled: %v", errCancelled)
		}
	})
}

// A Unix socket file left by a dead server is replaced; one somebody
// listens on is "address in use" and still works afterwards.
func TestListenUnixStaleAndLive(t *testing.T) {
	r, _ := newReactor(t, "poll")
	sock := filepath.Join(t.TempDir(), "s.sock")
	// A stale file: bound and closed without unlinking.
	dead, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	dead.SetUnlinkOnClose(false)
	dead.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatal("stale file not left behind:", err)
	}
	p, err := r.ListenUnix(sock, greeter("x"))
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	_, err = r.ListenUnix(sock, greeter("y"))
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), "Address already in use") {
		t.Fatalf("second listener: %v", err)
	}
	// A regular file is not a socket: never removed.
	plain := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(plain, []byte("keep"), 0o644)
	if _, err := r.ListenUnix(plain, greeter("z")); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("regular file: %v", err)
	}
	if b, _ := os.ReadFile(plain); string(b) != "keep" {
		t.Fatal("regular file replaced")
	}
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := net.DialTimeout("unix", sock, testTimeout)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		b, err := io.ReadAll(c)
		if string(b) != "x" || err != nil {
			t.Errorf("read %q, %v", b, err)
		}
	}()
	run(t, r)
	p.StopListening()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file still there after StopListening: %v", err)
	}
}

// Socket activation with the variables set by hand: the test binary runs
// itself under sh, whose "exec" keeps the process id that LISTEN_PID
// names, with a listening socket as descriptor 3.
func TestSystemdActivationByHand(t *testing.T) {
	if os.Getenv("GYRE_SYSTEMD_CHILD") == "1" {
		systemdChild()
		return
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to set LISTEN_PID by hand")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// SO_LINGER left on systemd's socket by an earlier run: the child
	// must not pass it on to its clients, nor set it there itself.
	if err := unix.SetsockoptLinger(int(f.Fd()), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1}); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	cmd := exec.Command(sh, "-c", `LISTEN_PID=$$ exec "$0" -test.run='^TestSystemdActivationByHand$'`, self)
	cmd.Env = append(os.Environ(), "GYRE_SYSTEMD_CHILD=1", "LISTEN_FDS=1", "LISTEN_FDNAMES=poems")
	cmd.ExtraFiles = []*os.File{f}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	buf := make([]byte, 256)
	n, _ := io.ReadAtLeast(out, buf, len("ready\n"))
	if !strings.HasPrefix(string(buf[:n]), "ready") {
		t.Fatalf("child said %q", buf[:n])
	}
	c := dial(t, ln.Addr())
	b, err := readAll(c)
	if string(b) != "activated env= armed=1\n" || err != nil {
		t.Fatalf("read %q, %v", b, err)
	}
	if l := lingerOf(t, int(f.Fd())); l.Onoff != 0 {
		t.Errorf("systemd's socket kept SO_LINGER %+v after the run", l)
	}
}

// systemdChild is the activated process: it serves one connection on
// systemd:domain=INET:name=poems and reports whether the variables were
// unset (systemd asks for it, so that children do not inherit them).
func systemdChild() {
	r, err := New()
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := ListenEndpoint(r, "systemd:domain=UNIX:index=0", greeter("")); err == nil || !strings.Contains(err.Error(), "domain=UNIX, but the socket passed is INET") {
		fmt.Println("wrong domain accepted:", err)
		os.Exit(1)
	}
	if _, err := ListenEndpoint(r, "systemd:domain=INET:index=1", greeter("")); err == nil || !strings.Contains(err.Error(), "only 1 socket(s) were passed") {
		fmt.Println("index 1 accepted:", err)
		os.Exit(1)
	}
	env := os.Getenv("LISTEN_FDS") + os.Getenv("LISTEN_PID") + os.Getenv("LISTEN_FDNAMES")
	f := FactoryFunc(func(net.Addr) Protocol {
		return &recorder{onMade: func(p *recorder) {
			armed, _ := unix.GetsockoptLinger(p.conn().Fd(), unix.SOL_SOCKET, unix.SO_LINGER)
			p.Transport.Write([]byte("activated env=" + env + " armed=" + strconv.Itoa(int(armed.Onoff)) + "\n"))
			p.Transport.LoseConnection()
		}, onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
	})
	if _, err := ListenEndpoint(r, "systemd:domain=INET:name=poems", f, WithResetOnExit()); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	go func() {
		time.Sleep(testTimeout)
		os.Exit(2)
	}()
	r.Run()
	os.Exit(0)
}

// ConnectEndpoint's Deferred fails even when the caller's factory panics
// in ClientConnectionFailed. It never fired, and its caller waited for
// ever.
func TestEndpointFailureWhenFactoryPanics(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	cf := &clientFactory{onFail: func(*Connector, error) { panic("ClientConnectionFailed fell over") }}
	var got error
	d := ConnectEndpoint(r, "tcp:host=127.0.0.1:port="+strconv.Itoa(refusedPort(t)), cf)
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; r.Stop(); return nil, nil })
	r.CallLater(testTimeout, func() { r.Stop() })
	run(t, r)
	if len(cf.failed) != 1 || !errors.Is(got, syscall.ECONNREFUSED) {
		t.Errorf("ClientConnectionFailed %d times; the Deferred failed with %v", len(cf.failed), got)
	}
}

// refusedPort is a TCP port on 127.0.0.1 that nobody listens on.
func refusedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A unix: description without mode= leaves the socket's mode to the
// caller's WithMode, or the default; its own mode= wins over WithMode.
// Before, a description without mode= set 0666 over WithMode(0600): a
// socket the caller meant to keep private was open to every local user.
func TestUnixEndpointModeOnlyWhenGiven(t *testing.T) {
	r, _ := newReactor(t, "poll")
	dir := t.TempDir()
	for _, tc := range []struct {
		desc string
		opts []ListenOption
		want os.FileMode
	}{
		{"unix:" + filepath.Join(dir, "a.sock"), []ListenOption{WithMode(0o600)}, 0o600},
		{"unix:" + filepath.Join(dir, "b.sock"), nil, DefaultUnixMode},
		{"unix:" + filepath.Join(dir, "c.sock") + ":mode=0660", []ListenOption{WithMode(0o600)}, 0o660},
	} {
		port, err := ListenEndpoint(r, tc.desc, greeter("hi\n"), tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(port.Addr().String())
		port.StopListening()
		if err != nil || st.Mode().Perm() != tc.want {
			t.Errorf("%s with %d options: mode %v (%v), want %v", tc.desc, len(tc.opts), st.Mode().Perm(), err, tc.want)
		}
	}
	if _, err := ParseServerEndpoint("unix:x.sock:mode=0"); err == nil {
		t.Error("mode=0 accepted: nobody could connect")
	}
}

// panicky is a protocol whose ConnectionMade panics.
type panicky struct{ BaseProtocol }

func (*panicky) ConnectionMade() { panic("boom in ConnectionMade") }

// ConnectEndpoint's Deferred fails with the panic of the protocol's
// ConnectionMade, whose connection the reactor has aborted. It succeeded
// before, handing the caller a protocol already disconnected.
func TestConnectEndpointFailsWhenConnectionMadePanics(t *testing.T) {
	key, cert, ca := testCerts(t).files(t)
	sock := filepath.Join(t.TempDir(), "s.sock")
	for _, kind := range []string{"tcp", "unix", "tls"} {
		t.Run(kind, func(t *testing.T) {
			r, _ := newReactor(t, "poll")
			desc := map[string]string{"tcp": "tcp:0:interface=127.0.0.1", "unix": "unix:" + sock,
				"tls": "tls:0:interface=127.0.0.1:privateKey=" + key + ":certKey=" + cert}[kind]
			port, err := ListenEndpoint(r, desc, greeter("hello\n"))
			if err != nil {
				t.Fatal(err)
			}
			defer port.StopListening()
			client := "unix:path=" + sock
			if a, ok := port.Addr().(*net.TCPAddr); ok {
				client = fmt.Sprintf("tcp:host=127.0.0.1:port=%d", a.Port)
				if kind == "tls" {
					client = fmt.Sprintf("tls:host=127.0.0.1:port=%d:caCerts=%s", a.Port, ca)
				}
			}
			var fired, failed any
			ConnectEndpoint(r, client, FactoryFunc(func(net.Addr) Protocol { return &panicky{} })).AddCallbacks(
				func(v any) (any, error) { fired = v; r.Stop(); return nil, nil },
				func(f *deferred.Failure) (any, error) { failed = f; r.Stop(); return nil, nil })
			r.CallLater(testTimeout, func() { r.Stop() })
			run(t, r)
			if fired != nil || failed == nil || !strings.Contains(fmt.Sprint(failed), "boom in ConnectionMade") {
				t.Errorf("the Deferred fired with %v, failed with %v; want the panic", fired, failed)
			}
		})
	}
}

// A nil factory is a clear failure of the Deferred at once, not a
// connection made and then dropped with a nil-pointer panic in the log.
func TestConnectEndpointNilFactory(t *testing.T) {
	r, logs := newReactor(t, Backends()[0])
	var got error
	ConnectEndpoint(r, "tcp:127.0.0.1:1", nil).AddErrback(func(f *deferred.Failure) (any, error) {
		got = f
		return nil, nil
	})
	var ce *ConnectError
	if !errors.As(got, &ce) || !strings.Contains(got.Error(), "nil factory") {
		t.Fatalf("ConnectEndpoint with a nil factory: %v, want at once a *ConnectError for the nil factory", got)
	}
	if logs.String() != "" {
		t.Errorf("logged: %s", logs.String())
	}
}

// Dial and DialEndpoint, like Connect, refuse a nil factory before
// dialling, whatever the endpoint's type: it used to connect, then log a
// nil-pointer panic when the protocol was to be built.
func TestDialEndpointNilFactory(t *testing.T) {
	for _, desc := range []string{"tcp:host=127.0.0.1:port=9", "unix:path=" + t.TempDir() + "/none", "tls:host=127.0.0.1:port=9"} {
		t.Run(desc, func(t *testing.T) {
			e, err := ParseClientEndpoint(desc)
			if err != nil {
				t.Fatal(err)
			}
			r, logs := newReactor(t, DefaultBackend())
			var dialErr error
			var c *Connector
			r.CallWhenRunning(func() {
				c, dialErr = r.DialEndpoint(e, nil)
				r.CallLater(20*time.Millisecond, func() { r.Stop() })
			})
			run(t, r)
			var ce *ConnectError
			if c != nil || !errors.As(dialErr, &ce) || !strings.Contains(dialErr.Error(), "nil factory") {
				t.Errorf("DialEndpoint(%s, nil): connector %t, error %v; want no connector and a *ConnectError for the nil factory", desc, c != nil, dialErr)
			}
			if logs.String() != "" {
				t.Errorf("logged: %.300s", logs.String())
			}
		})
	}
}

// Every listen refuses a nil factory with a *ListenError: systemd's too,
// before it looks for the sockets passed.
func TestListenEndpointNilFactory(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	for _, desc := range []string{"tcp:0:interface=127.0.0.1", "unix:" + t.TempDir() + "/s", "systemd:domain=INET:index=0"} {
		_, err := ListenEndpoint(r, desc, nil)
		var le *ListenError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "nil factory") {
			t.Errorf("ListenEndpoint(%s, nil): %v; want a *ListenError for the nil factory", desc, err)
		}
	}
}
