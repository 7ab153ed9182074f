package proxyproto_test

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"

	"gyre/protocols/policies"
	"gyre/protocols/proxyproto"
	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// collector keeps what it reads; its half-closeable variant answers once
// the client has finished sending.
type collector struct {
	reactor.BaseProtocol
	got []byte
}

func (c *collector) DataReceived(b []byte) { c.got = append(c.got, b...) }

type answerer struct{ collector }

func (a *answerer) ReadConnectionLost() {
	a.Transport.Write(append([]byte("got "), a.got...))
	a.Transport.LoseConnection()
}

// Behind the header a half-closeable protocol still hears the client's
// half-close and answers over the open half, and one that is not
// half-closeable ends as it does without the wrapper. The wrapper hid
// ReadConnectionLost, so the answer was lost.
func TestHalfCloseBehindHeader(t *testing.T) {
	hdr := pp.HeaderProxyFromAddrs(2,
		&net.TCPAddr{IP: net.IPv4(198, 51, 100, 9), Port: 5555},
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 10000})
	for _, tc := range []struct {
		name  string
		build func() reactor.Protocol
		want  string
	}{
		{"half-closeable", func() reactor.Protocol { return &answerer{} }, "got ping"},
		{"not half-closeable", func() reactor.Protocol { return &collector{} }, ""},
	} {
		for _, proxied := range []bool{false, true} {
			r := reactortest.RealReactor(t, reactor.DefaultBackend())
			var f reactor.Factory = reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return tc.build() })
			if proxied {
				f = proxyproto.NewFactory(r, f)
			}
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			errc := make(chan error, 1)
			go func() { errc <- r.Run() }()
			got, err := exchange(port.Addr().String(), func(c net.Conn) error {
				if proxied {
					if _, err := hdr.WriteTo(c); err != nil {
						return err
					}
				}
				if _, err := c.Write([]byte("ping")); err != nil {
					return err
				}
				return c.(*net.TCPConn).CloseWrite()
			})
			r.Stop()
			<-errc
			if got != tc.want || err != nil {
				t.Errorf("%s, proxied %v: client read %q, %v; want %q", tc.name, proxied, got, err, tc.want)
			}
		}
	}
}

// A client that ends its side before its header is complete has no
// header: it is reset and gets nothing, and the rejection is reported as a
// missing header. The wrapper let the reactor close such a connection
// cleanly, and the client took the empty stream for an empty poem.
func TestHalfCloseBeforeHeader(t *testing.T) {
	hdr := []byte("PROXY TCP4 198.51.100.9 127.0.0.1 5555 ")
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			rejects := make(chan proxyproto.Rejected, 1)
			inner := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &answerer{} })
			f := proxyproto.NewFactory(r, inner,
				proxyproto.WithRejectObserver(func(rj proxyproto.Rejected) { rejects <- rj }))
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			errc := make(chan error, 1)
			go func() { errc <- r.Run() }()
			defer func() {
				r.Stop()
				<-errc
			}()
			got, err := exchange(port.Addr().String(), func(c net.Conn) error {
				if _, err := c.Write(hdr); err != nil {
					return err
				}
				return c.(*net.TCPConn).CloseWrite()
			})
			if !errors.Is(err, syscall.ECONNRESET) || got != "" {
				t.Errorf("client got %q, %v; want a reset and nothing", got, err)
			}
			select {
			case rj := <-rejects:
				if !errors.Is(rj.Err, proxyproto.ErrClosed) || proxyproto.Reason(rj.Err) != "missing" {
					t.Errorf("rejected with %v (%s), want ErrClosed (missing)", rj.Err, proxyproto.Reason(rj.Err))
				}
			case <-time.After(testTimeout):
				t.Fatal("no rejection reported")
			}
		})
	}
}

// ender tells when its connection ends.
type ender struct {
	reactor.BaseProtocol
	lost chan error
}

func (e *ender) ConnectionLost(err error) { e.lost <- err }

// Under a policy (which keeps the half-close methods of what it wraps), a
// connection whose inner protocol takes no half-close still ends at the
// client's end of stream, as it does without the policy. The policy
// forwarded ReadConnectionLost but not the header reader's
// AcceptsHalfClose, so the reactor kept the connection open for a protocol
// that would never close it.
func TestHalfCloseBehindHeaderUnderPolicy(t *testing.T) {
	r := reactortest.RealReactor(t, reactor.DefaultBackend())
	lost := make(chan error, 1)
	inner := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &ender{lost: lost} })
	limit := &policies.Limit{Factory: proxyproto.NewFactory(r, inner), MaxTotal: 10}
	port, err := r.ListenTCP("127.0.0.1:0", limit)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	defer func() {
		r.Stop()
		<-errc
	}()
	c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("PROXY TCP4 198.51.100.9 127.0.0.1 5555 10000\r\nping")); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-lost:
		if !errors.Is(err, reactor.ErrConnectionDone) {
			t.Errorf("inner protocol lost with %v, want ErrConnectionDone", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the client's end of stream did not end the connection")
	}
}
