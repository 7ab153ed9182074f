package proxyproto_test

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"

	"gyre/protocols/proxyproto"
	"gyre/reactor"
	"gyre/reactor/reactortest"
)

const testTimeout = 20 * time.Second

// hello writes who it thinks the client is, then closes.
type hello struct{ t reactor.Transport }

func (h *hello) MakeConnection(t reactor.Transport) { h.t = t }
func (h *hello) ConnectionMade() {
	h.t.Write([]byte("hello " + h.t.Peer().String() + "\n"))
	h.t.LoseConnection()
}
func (h *hello) DataReceived([]byte)  {}
func (h *hello) ConnectionLost(error) {}

// On a real reactor and real sockets: a proxied client is served with its
// own address; a client with no header is reset once the wait is over and
// reported, never served.
func TestLoopback(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			rejects := make(chan proxyproto.Rejected, 4)
			inner := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &hello{} })
			f := proxyproto.NewFactory(r, inner,
				proxyproto.WithTimeout(300*time.Millisecond),
				proxyproto.WithRejectObserver(func(rj proxyproto.Rejected) { rejects <- rj }))
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			addr := port.Addr().String()
			errc := make(chan error, 1)
			go func() { errc <- r.Run() }()
			defer func() {
				r.Stop()
				<-errc
			}()

			// A v2 header, as HAProxy's send-proxy-v2 writes it.
			hdr := pp.HeaderProxyFromAddrs(2,
				&net.TCPAddr{IP: net.IPv4(198, 51, 100, 9), Port: 5555},
				&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 10000})
			got, err := exchange(addr, func(c net.Conn) error { _, err := hdr.WriteTo(c); return err })
			if err != nil || got != "hello 198.51.100.9:5555\n" {
				t.Fatalf("proxied client got %q, %v", got, err)
			}

			// A client that sends nothing, as a poetry client does when
			// it reaches the port past the balancer.
			got, err = exchange(addr, func(net.Conn) error { return nil })
			if !errors.Is(err, syscall.ECONNRESET) || got != "" {
				t.Fatalf("client without a header got %q, %v; want a reset and nothing", got, err)
			}
			select {
			case rj := <-rejects:
				if !errors.Is(rj.Err, proxyproto.ErrTimeout) {
					t.Fatalf("rejected with %v", rj.Err)
				}
			case <-time.After(testTimeout):
				t.Fatal("no rejection reported")
			}
		})
	}
}

// exchange connects, lets send write, and reads to the end.
func exchange(addr string, send func(net.Conn) error) (string, error) {
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	if err := send(c); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}
