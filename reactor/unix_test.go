package reactor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ListenUnix and ConnectUnix on every backend: the client hears the
// server, the server knows who connected (SO_PEERCRED), and a TCP
// connection has no credentials.
func TestUnixConnectAndCredentials(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		sock := filepath.Join(t.TempDir(), "c.sock")
		var cred Credentials
		var credErr error
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				cred, credErr = p.conn().PeerCredentials()
				p.Transport.Write([]byte("hi"))
				p.Transport.LoseConnection()
			}}
		}}
		if _, err := r.ListenUnix(sock, srv); err != nil {
			t.Fatal(err)
		}
		tcp := listen(t, r, greeter("x"))
		var tcpErr error
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
		}
		c := r.ConnectUnix(sock, cf, 5*time.Second)
		tf := &clientFactory{}
		tf.build = func() *recorder {
			return &recorder{onMade: func(p *recorder) { _, tcpErr = p.conn().PeerCredentials() }}
		}
		r.ConnectTCP(tcp.Addr().String(), tf, 5*time.Second)
		run(t, r)
		if len(cf.protos) != 1 || string(cf.protos[0].data) != "hi" {
			t.Fatalf("client: %v %v", cf.protos, cf.failed)
		}
		if d, ok := c.Destination().(*net.UnixAddr); !ok || d.Name != sock {
			t.Errorf("destination %v", c.Destination())
		}
		if runtime.GOOS != "linux" {
			return
		}
		if credErr != nil || cred.PID != os.Getpid() || cred.UID != os.Getuid() || cred.GID != os.Getgid() {
			t.Errorf("credentials %+v, %v; want pid %d uid %d", cred, credErr, os.Getpid(), os.Getuid())
		}
		if tcpErr == nil {
			t.Errorf("TCP connection has credentials")
		}
		if !errors.Is(srv.all[0].lostOnce(t), ErrConnectionDone) {
			t.Error(srv.all[0].lost)
		}
	})
}

// A path longer than a socket address holds is named as such by ListenUnix
// and ConnectUnix, not as the kernel's bare "Invalid argument".
func TestUnixPathTooLong(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	path := "/tmp/" + strings.Repeat("x", 200)
	_, err := r.ListenUnix(path, greeter("x"))
	var le *ListenError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "unix socket path too long: 205 bytes") {
		t.Errorf("ListenUnix: %v", err)
	}
	cf := &clientFactory{onFail: func(*Connector, error) { r.Stop() }}
	r.ConnectUnix(path, cf, time.Second)
	run(t, r)
	if len(cf.failed) != 1 || !strings.Contains(fmt.Sprint(cf.failed[0]), "unix socket path too long") {
		t.Errorf("ConnectUnix failed with %v", cf.failed)
	}
}

// A path with a NUL byte in it is refused by ListenUnix and ConnectUnix.
// The kernel took the path as ending at the NUL: ListenUnix bound the
// shorter path, failed to chmod the one given, and left the file it had
// made behind; ConnectUnix reached the shorter path's server.
func TestUnixPathWithNUL(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	short := filepath.Join(t.TempDir(), "s")
	_, err := r.ListenUnix(short+"\x00.sock", greeter("x"))
	var le *ListenError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "unix socket path has a NUL byte") {
		t.Errorf("ListenUnix: %v", err)
	}
	if _, err := os.Lstat(short); err == nil {
		t.Errorf("ListenUnix left %s behind", short)
	}
	if _, err := r.ListenUnix(short, greeter("x")); err != nil {
		t.Fatal(err)
	}
	stop := func(*Connector, error) { r.Stop() }
	cf := &clientFactory{onFail: stop, onLostC: stop}
	r.ConnectUnix(short+"\x00.sock", cf, time.Second)
	run(t, r)
	if len(cf.failed) != 1 || !strings.Contains(fmt.Sprint(cf.failed[0]), "unix socket path has a NUL byte") {
		t.Errorf("ConnectUnix failed with %v", cf.failed)
	}
}

// A port removes its own socket file when it stops, never one that took
// its place: with the file removed from under a live server and a second
// server listening at the same path, the first one's StopListening left
// the second unreachable.
func TestUnixStopListeningLeavesAnotherServersFile(t *testing.T) {
	r, _ := newReactor(t, Backends()[0])
	path := filepath.Join(t.TempDir(), "s.sock")
	first, err := r.ListenUnix(path, greeter("first"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	second, err := r.ListenUnix(path, greeter("second"))
	if err != nil {
		t.Fatal(err)
	}
	first.StopListening()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("the second server's socket file is gone after the first stopped: %v", err)
	}
	second.StopListening()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the second server's own file after it stopped: %v", err)
	}
}

// StopListening removes the port's socket file while the socket still
// listens, and closes it after: only then is the check that the file is
// still the port's own sound, as an open socket keeps its inode and the
// number cannot be given to a file bound there since. What a test can see
// of that order is its consequence for clients: a connect refused because
// the socket is closed comes after the file is gone. (Closed first, the
// file of a socket nobody listened on stayed there for the Lstat and the
// unlink.) The reuse of an inode number itself, which needs another bind
// to win that moment on a file system that reuses numbers, is not
// reproduced here.
func TestUnixStopListeningRemovesFileBeforeClosing(t *testing.T) {
	r, _ := newReactor(t, Backends()[0])
	dir := t.TempDir()
	for i := range 1000 {
		path := filepath.Join(dir, fmt.Sprintf("s%d.sock", i))
		p, err := r.ListenUnix(path, greeter("x"), WithBacklog(1))
		if err != nil {
			t.Fatal(err)
		}
		stop, started, stale := make(chan struct{}), make(chan struct{}), make(chan bool, 1)
		go func() {
			defer close(stale)
			for n := 0; ; n++ {
				if n == 1 {
					close(started)
				}
				select {
				case <-stop:
					return
				default:
				}
				// Refused: the socket is closed. Its file must be gone.
				if errors.Is(dialUnixOnce(path), unix.ECONNREFUSED) {
					if _, err := os.Lstat(path); err == nil {
						stale <- true
						return
					}
				}
			}
		}()
		<-started
		p.StopListening()
		close(stop)
		if <-stale {
			t.Fatalf("stop %d: the socket was closed while its file was still there: closed before the file was checked and removed", i)
		}
		if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the port's own file after StopListening: %v", err)
		}
	}
}

// dialUnixOnce makes one non-blocking connect to the Unix socket at path,
// and closes it.
func dialUnixOnce(path string) error {
	// SetNonblock rather than SOCK_NONBLOCK, which macOS lacks (the test
	// must compile everywhere the reactor does).
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		return err
	}
	return unix.Connect(fd, &unix.SockaddrUnix{Name: path})
}
