package reactor

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/deferred"
)

// listenTLS starts a TLS port on 127.0.0.1.
func listenTLS(t testing.TB, r *Reactor, f Factory, opts ...ListenOption) *Port {
	t.Helper()
	p, err := r.ListenTLS("127.0.0.1:0", testCerts(t).serverConfig(), f, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.StopListening() })
	return p
}

// A reactor TLS server sends 4 MiB and closes; a reactor TLS client gets
// every byte, in order, and a clean end (close_notify) on both sides.
func TestTLSServerAndClient(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		payload := pattern(4 << 20)
		ended := 0
		end := func(*recorder, error) {
			if ended++; ended == 2 {
				r.CallLater(0, func() { r.Stop() })
			}
		}
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.Write(payload)
				p.Transport.LoseConnection()
			}, onLost: end}
		}}
		port := listenTLS(t, r, srv)
		var state tls.ConnectionState
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{
				onData: func(p *recorder, _ []byte) { state = p.Transport.(*TLSConn).ConnectionState() },
				onLost: end,
			}
		}
		r.ConnectTLS(port.Addr().String(), testCerts(t).clientConfig(), cf, 5*time.Second)
		run(t, r)
		if len(cf.protos) != 1 {
			t.Fatalf("%d client protocols, failures %v", len(cf.protos), cf.failed)
		}
		c := cf.protos[0]
		if !bytes.Equal(c.data, payload) {
			t.Fatalf("client got %d bytes, want %d (equal prefix: %v)", len(c.data), len(payload), bytes.HasPrefix(payload, c.data))
		}
		if err := c.lostOnce(t); !errors.Is(err, ErrConnectionDone) {
			t.Errorf("client lost: %v", err)
		}
		if !state.HandshakeComplete || state.Version < tls.VersionTLS12 {
			t.Errorf("connection state %+v", state)
		}
		if err := srv.all[0].lostOnce(t); !errors.Is(err, ErrConnectionDone) {
			t.Errorf("server lost: %v", err)
		}
	})
}

// Interoperability both ways with crypto/tls over the standard library's
// net: a Go client reads the reactor server's poem and sends a line the
// server echoes; a Go server talks to the reactor client.
func TestTLSInteropWithGo(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		echo := &servers{build: func() *recorder {
			return &recorder{
				onMade: func(p *recorder) { p.Transport.Write([]byte("hello\n")) },
				onData: func(p *recorder, b []byte) {
					p.Transport.Write(b)
					if bytes.HasSuffix(p.data, []byte("\n")) {
						p.Transport.LoseConnection()
					}
				},
			}
		}}
		port := listenTLS(t, r, echo)
		go func() {
			defer r.CallFromGoroutine(func() { r.Stop() })
			c, err := tls.Dial("tcp", port.Addr().String(), testCerts(t).clientConfig())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			c.Write([]byte("ping pong\n"))
			b, err := io.ReadAll(c)
			if string(b) != "hello\nping pong\n" || err != nil {
				t.Errorf("Go client read %q, %v", b, err)
			}
		}()
		run(t, r)

		// A Go server, the reactor client.
		ln, err := tls.Listen("tcp", "127.0.0.1:0", testCerts(t).serverConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			line := make([]byte, 5)
			if _, err := io.ReadFull(c, line); err != nil {
				t.Error(err)
				return
			}
			fmt.Fprintf(c, "got %s", line)
		}()
		r2, _ := newReactor(t, backend)
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{
				onMade: func(p *recorder) { p.Transport.Write([]byte("abcde")) },
				onLost: func(*recorder, error) { r2.CallLater(0, func() { r2.Stop() }) },
			}
		}
		r2.ConnectTLS(ln.Addr().String(), testCerts(t).clientConfig(), cf, 5*time.Second)
		run(t, r2)
		if len(cf.protos) != 1 || string(cf.protos[0].data) != "got abcde" {
			t.Fatalf("reactor client: %v %v", cf.protos, cf.failed)
		}
		if err := cf.protos[0].lostOnce(t); !errors.Is(err, ErrConnectionDone) {
			t.Errorf("reactor client lost: %v (Go's Close sends close_notify)", err)
		}
	})
}

// Handshake failures end the connection with a *TLSError wrapping
// crypto/tls's error: an unknown authority (client side), garbage
// instead of a ClientHello and a stalled handshake (server side).
func TestTLSHandshakeFailures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		srv := &servers{}
		port := listenTLS(t, r, srv, WithHandshakeTimeout(time.Second))
		pending := 3
		done := func() {
			if pending--; pending == 0 {
				r.CallLater(0, func() { r.Stop() })
			}
		}
		srv.build = func() *recorder { return &recorder{onLost: func(*recorder, error) { done() }} }
		// A client that trusts nobody: unknown authority.
		cf := &clientFactory{}
		cf.build = func() *recorder { return &recorder{} }
		r.ConnectTLS(port.Addr().String(), &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "127.0.0.1"}, cf, 5*time.Second)
		// Garbage, and silence.
		garbage := dial(t, port.Addr())
		garbage.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
		silent := dial(t, port.Addr())
		_ = silent
		run(t, r)

		if len(cf.protos) != 1 {
			t.Fatalf("client: %v", cf.failed)
		}
		cerr := cf.protos[0].lostOnce(t)
		var te *TLSError
		var ua x509.UnknownAuthorityError
		if !errors.As(cerr, &te) || te.Op != "handshake" || !errors.As(cerr, &ua) || !errors.Is(cerr, ErrConnectionLost) {
			t.Errorf("client reason %v", cerr)
		}
		var sawGarbage, sawTimeout, sawAlert bool
		for _, p := range srv.all {
			err := p.lostOnce(t)
			var rh tls.RecordHeaderError
			var alert tls.AlertError
			switch {
			case errors.As(err, &rh):
				sawGarbage = true
			case errors.Is(err, ErrTLSHandshakeTimeout):
				sawTimeout = true
			case errors.As(err, &alert), errors.As(err, &te):
				sawAlert = true
			}
			if p.made != 1 {
				t.Errorf("server protocol made %d times", p.made)
			}
		}
		if !sawGarbage || !sawTimeout || !sawAlert {
			t.Errorf("server reasons: garbage %v timeout %v alert %v: %v", sawGarbage, sawTimeout, sawAlert, srv.all)
		}
		// The silent client was cut off.
		silent.SetReadDeadline(time.Now().Add(testTimeout))
		if _, err := silent.Read(make([]byte, 1)); err == nil {
			t.Error("silent client still connected")
		}
	})
}

// A Go server that cuts the TCP stream without close_notify: the reactor
// client reports ErrTLSTruncated, not a clean end.
func TestTLSTruncated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			c := tls.Server(raw, testCerts(t).serverConfig())
			c.Write([]byte("half a po"))
			raw.Close() // no close_notify
		}()
		r, _ := newReactor(t, backend)
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
		}
		r.ConnectTLS(ln.Addr().String(), testCerts(t).clientConfig(), cf, 5*time.Second)
		run(t, r)
		if len(cf.protos) != 1 {
			t.Fatal(cf.failed)
		}
		err = cf.protos[0].lostOnce(t)
		if string(cf.protos[0].data) != "half a po" || !errors.Is(err, ErrTLSTruncated) || !errors.Is(err, ErrConnectionLost) {
			t.Fatalf("got %q, %v", cf.protos[0].data, err)
		}
	})
}

// STARTTLS: a plaintext exchange, then both sides switch to TLS on the
// same connections and the protocols go on through their new transports.
func TestStartTLS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		srv := &servers{build: func() *recorder {
			return &recorder{onData: func(p *recorder, b []byte) {
				if _, ok := p.Transport.(*TLSConn); !ok {
					if string(p.data) == "STARTTLS\n" {
						p.Transport.Write([]byte("GO\n"))
						if _, err := p.Transport.(*Conn).StartTLS(testCerts(t).serverConfig()); err != nil {
							t.Error(err)
						}
						p.data = nil
					}
					return
				}
				p.Transport.Write([]byte("secret: " + string(b)))
				p.Transport.LoseConnection()
			}}
		}}
		port := listen(t, r, srv)
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{
				onMade: func(p *recorder) { p.Transport.Write([]byte("STARTTLS\n")) },
				onData: func(p *recorder, b []byte) {
					if string(p.data) == "GO\n" {
						tc, err := p.Transport.(*Conn).StartTLS(testCerts(t).clientConfig())
						if err != nil {
							t.Error(err)
							return
						}
						if p.Transport != tc {
							t.Error("transport not handed over")
						}
						p.data = nil
						p.Transport.Write([]byte("hi"))
					}
				},
				onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) },
			}
		}
		r.ConnectTCP(port.Addr().String(), cf, 5*time.Second)
		run(t, r)
		if len(cf.protos) != 1 {
			t.Fatal(cf.failed)
		}
		c := cf.protos[0]
		if string(c.data) != "secret: hi" || !errors.Is(c.lostOnce(t), ErrConnectionDone) {
			t.Fatalf("client read %q, lost %v", c.data, c.lost)
		}
		if _, ok := c.Transport.(*TLSConn); !ok {
			t.Fatalf("transport %T", c.Transport)
		}
	})
}

// A peer that never reads: a pull producer on a TLS connection is asked
// for more only as the TCP buffer drains, so the server's memory for it
// stays bounded, and aborting ends it.
func TestTLSNeverReaderBounded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		chunk := pattern(64 << 10)
		var tc *TLSConn
		pulls := 0
		prod := &pullFunc{fn: func() { pulls++; tc.Write(chunk) }}
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				tc = p.Transport.(*TLSConn)
				tc.RegisterProducer(prod, false)
			}}
		}}
		port := listenTLS(t, r, srv)
		raw := goDialSmall(t, port.Addr())
		var maxBuf int
		go func() {
			c := tls.Client(raw, testCerts(t).clientConfig())
			if err := c.Handshake(); err != nil {
				t.Error(err)
			}
			// Read nothing more.
		}()
		var watch func()
		rounds := 0
		watch = func() {
			if tc != nil && tc.ConnectionState().HandshakeComplete {
				maxBuf = max(maxBuf, tc.Buffered())
				rounds++
			}
			if rounds >= 20 {
				tc.AbortConnection()
				r.CallLater(0, func() { r.Stop() })
				return
			}
			r.CallLater(10*time.Millisecond, watch)
		}
		r.CallLater(0, watch)
		run(t, r)
		// The kernel's buffers take some; the TCP connection holds at
		// most one chunk's records more than it could send.
		if maxBuf > 2*len(chunk) || pulls > 200 {
			t.Fatalf("buffered up to %d bytes, %d pulls", maxBuf, pulls)
		}
		if err := srv.all[0].lostOnce(t); !errors.Is(err, ErrConnectionAborted) {
			t.Errorf("lost: %v", err)
		}
	})
}

type pullFunc struct{ fn func() }

func (p *pullFunc) ResumeProducing() { p.fn() }
func (p *pullFunc) StopProducing()   {}

// tls: endpoints load their PEM files; the client checks the server
// against caCerts.
func TestTLSEndpoints(t *testing.T) {
	key, cert, ca := testCerts(t).files(t)
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		port, err := ListenEndpoint(r, "tls:0:privateKey="+key+":certKey="+cert+":interface=127.0.0.1", greeter("over tls\n"))
		if err != nil {
			t.Fatal(err)
		}
		defer port.StopListening()
		p := port.Addr().(*net.TCPAddr).Port
		proto := &recorder{onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
		var fired any
		ConnectEndpoint(r, fmt.Sprintf("tls:host=127.0.0.1:port=%d:caCerts=%s", p, ca), FactoryFunc(func(net.Addr) Protocol { return proto })).
			AddCallback(func(v any) (any, error) { fired = v; return nil, nil })
		var missing error
		ConnectEndpoint(r, fmt.Sprintf("tls:host=127.0.0.1:port=%d:caCerts=/nonexistent.pem", p), &BaseFactory{}).
			AddErrback(func(f *deferred.Failure) (any, error) { missing = f; return nil, nil })
		run(t, r)
		if fired != proto || string(proto.data) != "over tls\n" || !errors.Is(proto.lostOnce(t), ErrConnectionDone) {
			t.Fatalf("fired %v, read %q, lost %v", fired, proto.data, proto.lost)
		}
		if missing == nil || !errors.Is(missing, fs.ErrNotExist) || !strings.Contains(missing.Error(), "/nonexistent.pem") {
			t.Errorf("missing caCerts (the message must name the file): %v", missing)
		}
	})
	// The message names the missing file, not only the errno.
	if _, err := ListenEndpoint(nil, "tls:0:privateKey=/nonexistent.pem", greeter("")); err == nil || !errors.Is(err, fs.ErrNotExist) ||
		err.Error() != fmt.Sprintf("Couldn't listen on any:0: /nonexistent.pem: [Errno %d] No such file or directory.", int(syscall.ENOENT)) {
		t.Errorf("missing key: %v", err)
	}
}
