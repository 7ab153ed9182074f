package proxyproto_test

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"

	"gyre/internal/testcert"
	"gyre/poetry"
	"gyre/protocols/proxyproto"
	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// caught is an inner protocol that keeps the transport it is given.
type caught struct {
	reactor.Protocol
	got *reactor.Transport
}

func (c *caught) MakeConnection(t reactor.Transport) {
	*c.got = t
	c.Protocol.MakeConnection(t)
}

// proxiedTLS serves inner behind a PROXY header and TLS on a new port of
// a running reactor, and returns its address and the header to send.
func proxiedTLS(t *testing.T, r *reactor.Reactor, inner reactor.Factory) (string, []byte) {
	t.Helper()
	f := proxyproto.NewFactory(r, inner, proxyproto.WithTLS(testcert.Loopback(t).ServerConfig(), 300*time.Millisecond))
	port, err := r.ListenTCP("127.0.0.1:0", f)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := pp.HeaderProxyFromAddrs(2,
		&net.TCPAddr{IP: net.IPv4(198, 51, 100, 9), Port: 5555},
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 10000}).Format()
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	t.Cleanup(func() {
		r.CallFromGoroutine(func() { r.Stop() })
		<-errc
	})
	return port.Addr().String(), hdr
}

// A proxied TLS connection's transport is what a plain TLS connection's
// is, the client's addresses aside: a slow poem server behind it finds
// Buffered and SetWriteBufferLimits and pauses for a client that does not
// read. The wrapper hid them: the server wrote the poem on schedule into
// the buffer, which grew by the poem's size (612 MB for 20 such clients
// of gyre serve).
func TestProxiedTLSKeepsBackPressure(t *testing.T) {
	r := reactortest.RealReactor(t, reactor.DefaultBackend())
	poem := make([]byte, 32<<20)
	var tr reactor.Transport
	slow := poetry.NewSlowServerFactory(r, poem, 256<<10, time.Millisecond)
	inner := reactor.FactoryFunc(func(a net.Addr) reactor.Protocol {
		return &caught{Protocol: slow.BuildProtocol(a), got: &tr}
	})
	addr, hdr := proxiedTLS(t, r, inner)
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	if _, err := c.Write(hdr); err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // and read nothing
	res := make(chan int, 1)
	r.CallFromGoroutine(func() {
		for _, ok := range []bool{
			is[interface{ Buffered() int }](tr),
			is[interface{ SetWriteBufferLimits(int, int) }](tr),
			is[reactor.TCPTransport](tr),
			reactor.WriteCounterOf(tr) != nil,
		} {
			if !ok {
				t.Errorf("the proxied TLS transport %T lacks a method of the TLS connection's", tr)
			}
		}
		// Measured beneath the wrapper, whatever it shows.
		res <- tr.(reactor.TransportWrapper).Unwrap().(*reactor.TLSConn).Buffered()
	})
	if n := <-res; n > 2<<20 {
		t.Errorf("%d bytes wait for a client that reads nothing; the server did not pause", n)
	}
}

func is[T any](v any) bool { _, ok := v.(T); return ok }

// A client that sends a valid header and never finishes its handshake has
// been sent nothing: the served record counts 0 bytes, as on a plain TLS
// port. The wrapper hid Buffered, and the whole poem was counted as sent.
func TestProxiedTLSFailedHandshakeSentNothing(t *testing.T) {
	r := reactortest.RealReactor(t, reactor.DefaultBackend())
	records := make(chan poetry.Served, 1)
	fast := poetry.NewFastServerFactory([]byte("a short poem\n"),
		poetry.WithServeObserver(func(s poetry.Served) { records <- s }))
	addr, hdr := proxiedTLS(t, r, fast)
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(hdr); err != nil { // and no hello: the handshake times out
		t.Fatal(err)
	}
	select {
	case s := <-records:
		if s.Bytes != 0 || s.Err == nil {
			t.Errorf("served record: %d bytes, error %v; want 0 bytes and an error", s.Bytes, s.Err)
		}
	case <-time.After(testTimeout):
		t.Fatal("no served record")
	}
}
