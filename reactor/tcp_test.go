package reactor

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/reactor/internal/poll"
)

// A server and a client in one reactor: the poem arrives whole, both ends
// lose the connection once, cleanly, and the client factory hears of it.
func TestServerAndClientInOneReactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, logs := newReactor(t, backend)
		poem := []byte("Soft rain, naïve and kind.\n")
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.Write(poem)
				p.Transport.LoseConnection()
			}}
		}}
		port := listen(t, r, srv)
		cf := &clientFactory{onLostC: func(*Connector, error) { r.Stop() }}
		conn := r.ConnectTCP(port.Addr().String(), cf, time.Second)
		if cf.started != 1 || conn.State() != Connecting {
			t.Fatalf("after ConnectTCP: started %d, state %v", cf.started, conn.State())
		}
		run(t, r)
		if len(cf.protos) != 1 || len(srv.all) != 1 {
			t.Fatalf("%d client and %d server protocols; logs:\n%s", len(cf.protos), len(srv.all), logs)
		}
		cl, sv := cf.protos[0], srv.all[0]
		if !bytes.Equal(cl.data, poem) {
			t.Errorf("client got %q", cl.data)
		}
		if err := cl.lostOnce(t); err != ErrConnectionDone {
			t.Errorf("client lost: %v", err)
		}
		if err := sv.lostOnce(t); err != ErrConnectionDone {
			t.Errorf("server lost: %v", err)
		}
		if len(cf.lostC) != 1 || cf.lostC[0] != ErrConnectionDone || len(cf.failed) != 0 {
			t.Errorf("factory: lost %v, failed %v", cf.lostC, cf.failed)
		}
		if cl.made != 1 || sv.made != 1 {
			t.Errorf("ConnectionMade %d/%d times", cl.made, sv.made)
		}
		if conn.State() != Disconnected || conn.Transport() != nil {
			t.Errorf("connector state %v", conn.State())
		}
	})
}

// countingBackend counts the backend updates, to show what the fast path
// never asks of the kernel.
type countingBackend struct {
	poll.Backend
	updates int
}

func (b *countingBackend) Update(fd int, old, new poll.Interest) error {
	b.updates++
	return b.Backend.Update(fd, old, new)
}

// The fast path: a protocol that writes everything and loses the
// connection in ConnectionMade is closed without ever being registered
// with the backend (accept4, write, close), and still gets ConnectionLost.
func TestFastPathNeverRegisters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		cb := &countingBackend{Backend: r.backend}
		r.backend = cb
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.Write([]byte("three thousand bytes, or so"))
				p.Transport.LoseConnection()
			}}
		}}
		port := listen(t, r, srv)
		before, after := cb.updates, -1
		const n = 20
		done := make(chan error, 1)
		go func() {
			// Read the count on the loop before stopping: stopping
			// removes the port, which is an update.
			defer r.CallFromGoroutine(func() { after = cb.updates; r.Stop() })
			for range n {
				c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout)
				if err != nil {
					done <- err
					return
				}
				c.SetDeadline(time.Now().Add(testTimeout))
				b, err := readAll(c)
				c.Close()
				if err != nil || string(b) != "three thousand bytes, or so" {
					done <- errors.New("bad poem: " + string(b))
					return
				}
			}
			done <- nil
		}()
		run(t, r)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if len(srv.all) != n {
			t.Fatalf("%d connections served", len(srv.all))
		}
		for _, p := range srv.all {
			if err := p.lostOnce(t); err != ErrConnectionDone {
				t.Errorf("lost: %v", err)
			}
		}
		if got := after - before; got != 0 {
			t.Errorf("%d backend updates for %d fast connections, want 0", got, n)
		}
	})
}

// A connection still open is registered for reading after ConnectionMade
// (one update), and lost with ErrConnectionLost when the reactor stops.
func TestReactorStopLosesOpenConnections(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		paused := 0
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				if paused == 0 {
					// A paused, idle connection is watched for nothing;
					// stopping must still reach it.
					p.Transport.PauseProducing()
				}
				paused++
				if paused == 2 {
					r.Stop()
				}
			}}
		}}
		port := listen(t, r, srv)
		dialed := make(chan struct{})
		go func() {
			defer close(dialed)
			// Not goDial: the stop resets the second connection, which
			// may come before connect returns on this side.
			for range 2 {
				if c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout); err == nil {
					defer c.Close()
				}
			}
		}()
		run(t, r)
		<-dialed
		if len(srv.all) != 2 {
			t.Fatalf("%d connections", len(srv.all))
		}
		for _, p := range srv.all {
			if err := p.lostOnce(t); err != ErrConnectionLost {
				t.Errorf("lost: %v", err)
			}
			if p.conn().Fd() != -1 {
				t.Error("fd still open")
			}
		}
		if len(r.held) != 0 {
			t.Errorf("%d held left", len(r.held))
		}
	})
}

// Peer and Host are the two ends; the client's Peer is the server's Host.
func TestPeerAndHost(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var sPeer, sHost, cPeer, cHost net.Addr
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			sPeer, sHost = p.Transport.Peer(), p.Transport.Host()
			p.Transport.LoseConnection()
		}}
	}}
	port := listen(t, r, srv)
	cf := &clientFactory{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			cPeer, cHost = p.Transport.Peer(), p.Transport.Host()
		}, onLost: func(p *recorder, _ error) {
			// Still known after the end.
			if p.Transport.Peer().String() != cPeer.String() || p.Transport.Host().String() != cHost.String() {
				t.Error("addresses changed after the end")
			}
			r.Stop()
		}}
	}}
	r.ConnectTCP(port.Addr().String(), cf, time.Second)
	run(t, r)
	if sHost.String() != port.Addr().String() || cPeer.String() != port.Addr().String() {
		t.Errorf("server host %v, client peer %v, port %v", sHost, cPeer, port.Addr())
	}
	if sPeer.String() != cHost.String() {
		t.Errorf("server peer %v, client host %v", sPeer, cHost)
	}
	if _, ok := sPeer.(*net.TCPAddr); !ok {
		t.Errorf("Peer is %T", sPeer)
	}
}

// The same over IPv6 loopback, where the system has it.
func TestIPv6(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			p.Transport.Write([]byte(p.Transport.Peer().String()))
			p.Transport.LoseConnection()
		}}
	}}
	port, err := r.ListenTCP("[::1]:0", srv)
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer port.StopListening()
	cf := &clientFactory{onLostC: func(*Connector, error) { r.Stop() }, onFail: func(*Connector, error) { r.Stop() }}
	r.ConnectTCP(port.Addr().String(), cf, time.Second)
	run(t, r)
	if len(cf.protos) != 1 {
		t.Fatalf("not connected: %v", cf.failed)
	}
	if got := string(cf.protos[0].data); !strings.HasPrefix(got, "[::1]:") {
		t.Errorf("server saw peer %q", got)
	}
	if got := AddressRepr(port.Addr()); !strings.HasPrefix(got, "IPv6Address(type='TCP', host='::1', port=") {
		t.Errorf("AddressRepr = %s", got)
	}
}

// A reset from the peer (SO_LINGER 0) is ConnectionLost once with an error
// that is both ErrConnectionLost and ECONNRESET.
func TestResetByPeer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		srv := &servers{build: func() *recorder {
			return &recorder{onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				r.Stop()
				return
			}
			c.Write([]byte("hello"))
			c.SetLinger(0)
			c.Close()
		}()
		run(t, r)
		err := srv.all[0].lostOnce(t)
		if !errors.Is(err, ErrConnectionLost) || !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("lost: %v", err)
		}
		var cle *ConnectionLostError
		if !errors.As(err, &cle) || err.Error() != "Connection to the other side was lost in a non-clean fashion: Connection reset by peer." {
			t.Errorf("message %q", err)
		}
	})
}

// A panic in ConnectionMade is logged and the connection aborted; the
// protocol still gets ConnectionLost, with the Failure.
func TestPanicInConnectionMade(t *testing.T) {
	r, logs := newReactor(t, DefaultBackend())
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(*recorder) { panic("made a mess") }, onLost: func(*recorder, error) { r.Stop() }}
	}}
	port := listen(t, r, srv)
	dialed := make(chan struct{})
	go func() { defer close(dialed); goDial(t, port.Addr()) }()
	run(t, r)
	<-dialed
	if err := srv.all[0].lostOnce(t); err == nil || !strings.Contains(err.Error(), "made a mess") {
		t.Errorf("lost: %v", err)
	}
	if !strings.Contains(logs.String(), "made a mess") {
		t.Errorf("not logged: %s", logs)
	}
}

// A factory that returns nil refuses the connection: closed at once.
func TestFactoryRefuses(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	port := listen(t, r, FactoryFunc(func(net.Addr) Protocol { return nil }))
	errc := make(chan error, 1)
	go func() {
		defer r.Stop()
		c := goDial(t, port.Addr())
		if c == nil {
			errc <- nil
			return
		}
		_, err := readAll(c)
		errc <- err
	}()
	run(t, r)
	if err := <-errc; err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client: %v", err)
	}
}
