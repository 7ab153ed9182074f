package reactor

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A client's close_notify closes its direction only (TLS 1.3, as Go's
// CloseWrite sends it): a half-closeable protocol hears ReadConnectionLost
// and still answers; another is answered with close_notify at once. The
// first was closed at once too, so a poetry server ended a poem cut short
// with a clean close_notify.
func TestTLSHalfClose(t *testing.T) {
	for _, half := range []bool{true, false} {
		r, _ := newReactor(t, DefaultBackend())
		port := listenTLS(t, r, FactoryFunc(func(net.Addr) Protocol {
			if !half {
				return &recorder{}
			}
			h := &halfCloser{}
			h.onRead = func(h *halfCloser) {
				h.Transport.Write([]byte("answer to " + string(h.data)))
				h.Transport.LoseConnection()
			}
			return h
		}))
		got := make(chan string, 1)
		go func() {
			defer r.CallFromGoroutine(func() { r.Stop() })
			c, err := tls.Dial("tcp", port.Addr().String(), testCerts(t).clientConfig())
			if err != nil {
				got <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			c.Write([]byte("question"))
			if err := c.CloseWrite(); err != nil {
				got <- err.Error()
				return
			}
			b, err := io.ReadAll(c)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(b)
		}()
		run(t, r)
		want := ""
		if half {
			want = "answer to question"
		}
		if g := <-got; g != want {
			t.Errorf("half-closeable %v: client read %q, want %q and a clean close_notify", half, g, want)
		}
	}
}

// What is written after LoseConnection while a producer still writes is
// sent before the close_notify, as on a Conn. It was dropped: the
// producer's last writes never left, and the peer saw a clean end.
func TestTLSWriteAfterLoseConnectionWithProducer(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	chunk := pattern(16 << 10)
	port := listenTLS(t, r, &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			tc := p.Transport.(*TLSConn)
			pulls := 0
			tc.RegisterProducer(&pullFunc{fn: func() {
				if pulls++; pulls > 3 {
					tc.UnregisterProducer()
					return
				}
				tc.Write(chunk)
			}}, false)
			tc.LoseConnection()
		}}
	}})
	n := make(chan int, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := tls.Dial("tcp", port.Addr().String(), testCerts(t).clientConfig())
		if err != nil {
			t.Error(err)
			n <- -1
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Error(err)
		}
		n <- len(b)
	}()
	run(t, r)
	if got := <-n; got != 3*len(chunk) {
		t.Errorf("client read %d bytes, want %d", got, 3*len(chunk))
	}
}

// A panic in a crypto/tls callback (here VerifyPeerCertificate), which
// runs on the handshake's goroutine, fails the handshake: it does not kill
// the process. Run in a child process, since the bug is a crash.
func TestTLSCallbackPanicContained(t *testing.T) {
	if os.Getenv("GYRE_TLS_PANIC_CHILD") == "1" {
		r, logs := newReactor(t, DefaultBackend())
		port := listenTLS(t, r, &servers{})
		cfg := testCerts(t).clientConfig()
		cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { panic("verify fell over") }
		cf := &clientFactory{onFail: func(*Connector, error) { r.Stop() }}
		cf.build = func() *recorder { return &recorder{onLost: func(*recorder, error) { r.Stop() }} }
		r.ConnectTLS(port.Addr().String(), cfg, cf, testTimeout)
		run(t, r)
		var te *TLSError
		if len(cf.protos) != 1 || !errors.As(cf.protos[0].lostOnce(t), &te) {
			t.Errorf("the client's connection was not lost with a *TLSError: %v %v", cf.protos, cf.failed)
		}
		if !strings.Contains(logs.String(), "verify fell over") {
			t.Errorf("the panic was not logged:\n%s", logs)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTLSCallbackPanicContained$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GYRE_TLS_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("the child failed: %v\n%s", err, out)
	}
}

// A panic in DataReceived during a delivery the loop makes itself (the
// records kept while the protocol was paused, delivered after
// ResumeProducing) ends the connection, as it does when the socket's read
// delivers them. It was only logged, and the connection stayed open.
func TestTLSPanicInResumedDelivery(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	calls := 0
	srv := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, b []byte) {
			if calls++; calls == 1 {
				tc := p.Transport.(*TLSConn)
				tc.PauseProducing()
				r.CallLater(20*time.Millisecond, tc.ResumeProducing)
				return
			}
			panic("DataReceived fell over")
		}}
	}}
	port := listenTLS(t, r, srv)
	errc := make(chan error, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		raw, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout)
		if err != nil {
			errc <- err
			return
		}
		defer raw.Close()
		hold := &heldWrites{Conn: raw}
		c := tls.Client(hold, testCerts(t).clientConfig())
		if err := c.Handshake(); err != nil {
			errc <- err
			return
		}
		hold.hold = true // both records in one segment: the second waits while paused
		c.Write([]byte("first"))
		c.Write([]byte("second"))
		if err := hold.flush(); err != nil {
			errc <- err
			return
		}
		raw.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			errc <- errors.New("the connection is still open after the protocol panicked")
			return
		}
		errc <- nil
	}()
	run(t, r)
	if err := <-errc; err != nil {
		t.Error(err)
	}
	if calls != 2 || len(srv.all) != 1 || len(srv.all[0].lost) != 1 {
		t.Errorf("DataReceived %d times; lost %v", calls, srv.all[0].lost)
	}
}

// heldWrites keeps what is written while hold is set, for one write later.
type heldWrites struct {
	net.Conn
	hold bool
	buf  []byte
}

func (h *heldWrites) Write(p []byte) (int, error) {
	if h.hold {
		h.buf = append(h.buf, p...)
		return len(p), nil
	}
	return h.Conn.Write(p)
}

func (h *heldWrites) flush() error {
	h.hold = false
	_, err := h.Conn.Write(h.buf)
	return err
}

// panicStopper is a push producer whose StopProducing panics.
type panicStopper struct{ stopped int }

func (p *panicStopper) PauseProducing()  {}
func (p *panicStopper) ResumeProducing() {}
func (p *panicStopper) StopProducing()   { p.stopped++; panic("StopProducing fell over") }

// A producer registered before the handshake ended, whose StopProducing
// panics when the connection goes, does not keep the protocol from
// hearing ConnectionLost (once), as over TCP.
func TestTLSPanickingStopProducing(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	prod := &panicStopper{}
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			if err := p.Transport.RegisterProducer(prod, true); err != nil {
				t.Error(err)
			}
			p.Transport.AbortConnection()
		}}
	}}
	port := listenTLS(t, r, srv)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		if c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout); err == nil {
			c.SetDeadline(time.Now().Add(testTimeout))
			readAll(c)
			c.Close()
		}
	}()
	run(t, r)
	if len(srv.all) != 1 || len(srv.all[0].lost) != 1 || prod.stopped != 1 {
		t.Errorf("protocols %d; ConnectionLost %v; StopProducing %d times", len(srv.all), srv.all[0].lost, prod.stopped)
	}
}

// What a protocol wrote before a handshake that never ended was never
// sent: at ConnectionLost the transport still counts it as buffered. It
// counted nothing, and a poem server logged a whole poem sent to a client
// that never finished its handshake.
func TestTLSBufferedAfterFailedHandshake(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	buffered := -1
	srv := &servers{build: func() *recorder {
		return &recorder{
			onMade: func(p *recorder) { p.Transport.Write([]byte("a poem")) },
			onLost: func(p *recorder, _ error) {
				buffered = p.Transport.(*TLSConn).Buffered()
				r.Stop()
			},
		}
	}}
	port := listenTLS(t, r, srv, WithHandshakeTimeout(100*time.Millisecond))
	c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout) // and never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run(t, r)
	if buffered < len("a poem") {
		t.Errorf("Buffered at ConnectionLost = %d, want at least %d (nothing was sent)", buffered, len("a poem"))
	}
}
