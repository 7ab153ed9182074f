package proxyproto_test

import (
	"net"
	"testing"

	pp "github.com/pires/go-proxyproto"

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
