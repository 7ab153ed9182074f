package reactor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// connectOnce runs one ConnectTCP to addr until the factory hears how it
// went (or the reactor is stopped by the test's own hooks).
func connectOnce(t *testing.T, backend, addr string, timeout time.Duration) (*clientFactory, *Connector) {
	t.Helper()
	r, _ := newReactor(t, backend)
	cf := &clientFactory{onFail: func(*Connector, error) { r.Stop() }}
	cf.build = func() *recorder {
		return &recorder{onMade: func(*recorder) { r.Stop() }}
	}
	c := r.ConnectTCP(addr, cf, timeout)
	if len(cf.failed) != 0 {
		t.Fatal("ClientConnectionFailed called inside ConnectTCP")
	}
	run(t, r)
	return cf, c
}

// A port with no server: ClientConnectionFailed once, with a *ConnectError
// that is ECONNREFUSED and reads like Twisted's ConnectionRefusedError.
func TestConnectRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		addr := progtest.RefusedAddr(t)
		cf, c := connectOnce(t, backend, addr, time.Second)
		if len(cf.failed) != 1 || len(cf.protos) != 0 || cf.started != 1 {
			t.Fatalf("failed %v, %d protocols, started %d", cf.failed, len(cf.protos), cf.started)
		}
		err := cf.failed[0]
		var ce *ConnectError
		if !errors.As(err, &ce) || !errors.Is(err, syscall.ECONNREFUSED) || ce.Addr != addr {
			t.Fatalf("reason %#v", err)
		}
		want := fmt.Sprintf("Connection was refused by other side: %d: Connection refused.", int(syscall.ECONNREFUSED))
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if c.State() != Disconnected {
			t.Errorf("state %v", c.State())
		}
		if got := AddressRepr(c.Destination()); !strings.HasPrefix(got, "IPv4Address(type='TCP', host='127.0.0.1', port=") {
			t.Errorf("destination %s", got)
		}
	})
}

// An attempt that gets no answer (the server's accept queue is full, so
// the kernel drops the SYN) fails after the connector's timeout.
func TestConnectTimeout(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	forEachBackend(t, func(t *testing.T, backend string) {
		start := time.Now()
		cf, _ := connectOnce(t, backend, addr, 150*time.Millisecond)
		took := time.Since(start)
		if len(cf.failed) != 1 {
			t.Fatalf("failed %v", cf.failed)
		}
		var ce *ConnectError
		err := cf.failed[0]
		if !errors.As(err, &ce) || !errors.Is(err, ErrConnectTimeout) || !ce.Timeout() {
			t.Fatalf("reason %v", err)
		}
		if err.Error() != "User timeout caused connection failure." {
			t.Errorf("message %q", err)
		}
		if took < 150*time.Millisecond || took > 5*time.Second {
			t.Errorf("failed after %v", took)
		}
	})
}

// A non-routable address: either the network says so at once
// (unreachable) or the attempt times out; either way a *ConnectError.
func TestConnectNonRoutable(t *testing.T) {
	cf, _ := connectOnce(t, DefaultBackend(), "10.255.255.1:9", 200*time.Millisecond)
	if len(cf.protos) == 1 {
		t.Skip("this network accepts connections to any address (a proxy?); the full-backlog test covers timeouts")
	}
	var ce *ConnectError
	if len(cf.failed) != 1 || !errors.As(cf.failed[0], &ce) {
		t.Fatalf("failed %v", cf.failed)
	}
	if !ce.Timeout() && !errors.Is(ce, syscall.ENETUNREACH) && !errors.Is(ce, syscall.EHOSTUNREACH) {
		t.Errorf("reason %v", ce)
	}
}

// A name that cannot exist (RFC 6761 reserves .invalid) fails resolution:
// a *ConnectError wrapping the *net.DNSError, found off the loop.
func TestConnectDNSFailure(t *testing.T) {
	cf, _ := connectOnce(t, DefaultBackend(), "poem.invalid:10000", 5*time.Second)
	if len(cf.failed) != 1 {
		t.Fatalf("failed %v", cf.failed)
	}
	var dns *net.DNSError
	err := cf.failed[0]
	if !errors.As(err, &dns) {
		t.Fatalf("reason %v (%T)", err, errors.Unwrap(err))
	}
	if !strings.HasPrefix(err.Error(), "DNS lookup failed: ") {
		t.Errorf("message %q", err)
	}
}

// A name that resolves is connected to; "localhost" finds a server on
// 127.0.0.1 (IPv4 first).
func TestConnectByName(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			p.Transport.Write([]byte("by name"))
			p.Transport.LoseConnection()
		}}
	}}
	port := listen(t, r, srv)
	cf := &clientFactory{onFail: func(*Connector, error) { r.Stop() }, onLostC: func(*Connector, error) { r.Stop() }}
	c := r.ConnectTCP(net.JoinHostPort("localhost", strconv.Itoa(port.Addr().(*net.TCPAddr).Port)), cf, 5*time.Second)
	run(t, r)
	if len(cf.protos) != 1 || string(cf.protos[0].data) != "by name" {
		t.Fatalf("failed %v", cf.failed)
	}
	// No host at all: this machine.
	r2, _ := newReactor(t, DefaultBackend())
	port2 := listen(t, r2, srv)
	cf2 := &clientFactory{onFail: func(*Connector, error) { r2.Stop() }, onLostC: func(*Connector, error) { r2.Stop() }}
	r2.ConnectTCP(":"+strconv.Itoa(port2.Addr().(*net.TCPAddr).Port), cf2, 5*time.Second)
	run(t, r2)
	if len(cf2.protos) != 1 || string(cf2.protos[0].data) != "by name" {
		t.Fatalf("empty host: failed %v", cf2.failed)
	}
	if d := c.Destination().(*HostPortAddr); d.Host != "localhost" {
		t.Errorf("destination %v", d)
	}
}

// Bad addresses fail through the factory too, never inside ConnectTCP.
func TestConnectBadAddress(t *testing.T) {
	for _, addr := range []string{"nonsense", "127.0.0.1:x", "127.0.0.1:0", "127.0.0.1:70000"} {
		cf, _ := connectOnce(t, DefaultBackend(), addr, time.Second)
		var ce *ConnectError
		if len(cf.failed) != 1 || !errors.As(cf.failed[0], &ce) || cf.started != 1 {
			t.Errorf("%q: failed %v, started %d", addr, cf.failed, cf.started)
		}
	}
}

// StopConnecting ends a hanging attempt at once (ClientConnectionFailed
// before it returns, as in Twisted) and nothing else is heard of it.
func TestStopConnecting(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		cf := &clientFactory{}
		c := r.ConnectTCP(addr, cf, 100*time.Millisecond)
		r.CallLater(20*time.Millisecond, func() {
			c.StopConnecting()
			if len(cf.failed) != 1 || !errors.Is(cf.failed[0], ErrConnectCancelled) {
				t.Errorf("after StopConnecting: %v", cf.failed)
			}
			if c.State() != Disconnected {
				t.Errorf("state %v", c.State())
			}
			c.StopConnecting() // again: nothing
		})
		r.CallLater(200*time.Millisecond, func() { r.Stop() }) // past the timeout
		run(t, r)
		if len(cf.failed) != 1 || len(cf.protos) != 0 {
			t.Errorf("failed %v, %d protocols", cf.failed, len(cf.protos))
		}
	})
}

// StopConnecting while the name is being resolved: the late answer is
// ignored.
func TestStopConnectingDuringResolution(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	cf := &clientFactory{}
	c := r.ConnectTCP("poem.invalid:10000", cf, time.Second)
	c.StopConnecting()
	done := make(chan struct{})
	go func() {
		// Wait until the resolver goroutine has had time to answer and
		// hand it to the loop, then stop after one more turn.
		net.DefaultResolver.LookupHost(t.Context(), "poem.invalid")
		r.CallFromGoroutine(func() { r.CallLater(10*time.Millisecond, func() { r.Stop() }) })
		close(done)
	}()
	run(t, r)
	<-done
	if len(cf.failed) != 1 || !errors.Is(cf.failed[0], ErrConnectCancelled) {
		t.Errorf("failed %v", cf.failed)
	}
}

// Disconnect on a connected connector loses the connection cleanly;
// Connect starts a new attempt afterwards (how a client reconnects).
func TestDisconnectAndReconnect(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	port := listen(t, r, &servers{})
	cf := &clientFactory{}
	cf.build = func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			c := p.Transport.(*Conn).extra.connector
			if c.State() != Connected || c.Transport() != p.Transport {
				t.Errorf("connected: state %v", c.State())
			}
			c.Disconnect()
		}}
	}
	cf.onLostC = func(c *Connector, reason error) {
		if len(cf.lostC) == 2 {
			r.Stop()
			return
		}
		c.Connect()
	}
	r.ConnectTCP(port.Addr().String(), cf, time.Second)
	run(t, r)
	if cf.started != 2 || len(cf.protos) != 2 || len(cf.lostC) != 2 || cf.lostC[1] != ErrConnectionDone {
		t.Errorf("started %d, protocols %d, lost %v", cf.started, len(cf.protos), cf.lostC)
	}
}

// The messages of the connect errors are Twisted's.
func TestConnectErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{syscall.ECONNREFUSED, "Connection was refused by other side: 111: Connection refused."},
		{syscall.ETIMEDOUT, "TCP connection timed out: 110: Connection timed out."},
		{syscall.EHOSTUNREACH, "No route to host: 113: No route to host."},
		{syscall.ENETUNREACH, "No route to host: 101: Network is unreachable."},
		{syscall.EACCES, "An error occurred while connecting: 13: Permission denied."},
		{ErrConnectTimeout, "User timeout caused connection failure."},
		{ErrConnectCancelled, "User aborted connection."},
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, "DNS lookup failed: lookup x.invalid: no such host."},
	} {
		if syscall.ECONNREFUSED != 111 {
			t.Skip("errno numbers of Linux")
		}
		if got := (&ConnectError{Err: tc.err}).Error(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

// A connect with no factory is a programming error, told at the call with
// what was being connected to (found in the loop, it was a nil call),
// whichever of the calls that return a Connector is made.
func TestConnectWithoutFactoryPanicsAtTheCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for name, connect := range map[string]func(r *Reactor){
		"ConnectTCP":        func(r *Reactor) { r.ConnectTCP("127.0.0.1:1", nil, time.Second) },
		"ConnectTLS":        func(r *Reactor) { r.ConnectTLS("127.0.0.1:1", nil, nil, time.Second) },
		"ConnectTCPContext": func(r *Reactor) { r.ConnectTCPContext(ctx, "127.0.0.1:1", nil) },
		"ConnectUnix":       func(r *Reactor) { r.ConnectUnix("127.0.0.1:1", nil, time.Second) },
	} {
		t.Run(name, func(t *testing.T) {
			r, logs := newReactor(t, DefaultBackend())
			func() {
				defer func() {
					msg, _ := recover().(string)
					if !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "nil ClientFactory") {
						t.Errorf("panicked with %q", msg)
					}
				}()
				connect(r)
			}()
			r.CallLater(20*time.Millisecond, func() { r.Stop() })
			run(t, r)
			if logs.String() != "" {
				t.Errorf("logged: %.300s", logs.String())
			}
		})
	}
}
