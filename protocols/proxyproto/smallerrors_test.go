package proxyproto_test

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// realRun listens with a proxyproto factory built by mk on a real reactor
// (quiet: the panics the tests cause are logged), sends header and
// reads to the end, and returns the rejection reported, if any.
func realRun(t *testing.T, mk func(r *reactor.Reactor, rejects chan<- proxyproto.Rejected) *proxyproto.Factory, header string) (proxyproto.Rejected, bool) {
	t.Helper()
	r, err := reactor.New(reactor.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	rejects := make(chan proxyproto.Rejected, 4)
	port, err := r.ListenTCP("127.0.0.1:0", mk(r, rejects))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	defer func() {
		r.CallFromGoroutine(func() { r.Stop() })
		<-errc
	}()
	exchange(port.Addr().String(), func(c net.Conn) error { _, err := io.WriteString(c, header); return err })
	select {
	case rj := <-rejects:
		return rj, true
	case <-time.After(time.Second):
		return proxyproto.Rejected{}, false
	}
}

const v1Header = "PROXY TCP4 198.51.100.9 127.0.0.1 5555 10000\r\n"

// A nil clock means the connection's reactor, as the policies take it:
// it used to be a nil-pointer panic in every connection's ConnectionMade.
func TestNilClockIsTheReactor(t *testing.T) {
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	port, err := r.ListenTCP("127.0.0.1:0", proxyproto.NewFactory(nil, reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &hello{} })))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	defer func() {
		r.CallFromGoroutine(func() { r.Stop() })
		<-errc
	}()
	got, err := exchange(port.Addr().String(), func(c net.Conn) error { _, err := io.WriteString(c, v1Header); return err })
	if got != "hello 198.51.100.9:5555\n" {
		t.Errorf("with a nil clock the client got %q, %v", got, err)
	}
}

// A malformed header's error says "proxyproto:" once, not once for this
// package and once more for go-proxyproto's reason.
func TestMalformedErrorPrefixedOnce(t *testing.T) {
	rj, ok := realRun(t, func(r *reactor.Reactor, rejects chan<- proxyproto.Rejected) *proxyproto.Factory {
		return proxyproto.NewFactory(r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &hello{} }),
			proxyproto.WithRejectObserver(func(rj proxyproto.Rejected) { rejects <- rj }))
	}, "PROXY TCP4 198.51.100.9 127.0.0.1 5555\r\n")
	if !ok || !errors.Is(rj.Err, proxyproto.ErrMalformed) {
		t.Fatalf("rejection %v, %v; want ErrMalformed", rj.Err, ok)
	}
	if msg := rj.Err.Error(); strings.Count(msg, "proxyproto:") != 1 {
		t.Errorf("error %q names the package more than once", msg)
	}
}

// An inner factory that panics is reported as refusing the connection
// (with the panic), not as a connection that ended before its header:
// the header was complete.
func TestInnerFactoryPanicIsRefusal(t *testing.T) {
	rj, ok := realRun(t, func(r *reactor.Reactor, rejects chan<- proxyproto.Rejected) *proxyproto.Factory {
		return proxyproto.NewFactory(r, reactor.FactoryFunc(func(net.Addr) reactor.Protocol { panic("no protocol for you") }),
			proxyproto.WithRejectObserver(func(rj proxyproto.Rejected) { rejects <- rj }))
	}, v1Header)
	if !ok || !errors.Is(rj.Err, proxyproto.ErrRefused) || errors.Is(rj.Err, proxyproto.ErrClosed) {
		t.Fatalf("rejection %v, %v; want ErrRefused", rj.Err, ok)
	}
	if msg := rj.Err.Error(); !strings.Contains(msg, "no protocol for you") {
		t.Errorf("error %q does not say what the factory did", msg)
	}
}
