package proxyproto

import (
	"errors"
	"net"
	"testing"

	pp "github.com/pires/go-proxyproto"

	"gyre/reactor"
	"gyre/task"
)

// fakeTransport records what a protocol does to its connection.
type fakeTransport struct {
	reactor.Transport // nil: any other method panics, which a test would see
	peer              net.Addr
	written           []byte
	closed, aborted   bool
}

func (t *fakeTransport) Write(b []byte)      { t.written = append(t.written, b...) }
func (t *fakeTransport) LoseConnection()     { t.closed = true }
func (t *fakeTransport) AbortConnection()    { t.aborted = true }
func (t *fakeTransport) Disconnecting() bool { return t.closed || t.aborted }
func (t *fakeTransport) Peer() net.Addr      { return t.peer }
func (t *fakeTransport) Host() net.Addr      { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9} }
func (t *fakeTransport) PauseProducing()     {}
func (t *fakeTransport) ResumeProducing()    {}
func (t *fakeTransport) StopProducing()      {}
func (t *fakeTransport) UnregisterProducer() {}

// greeter is the inner protocol of the tests: it writes "hello PEER\n"
// and closes (unless stayOpen), like a poem server that tells who it
// thinks it serves.
type greeter struct {
	t        reactor.Transport
	stayOpen bool
	got      []byte
	lost     error
}

func (g *greeter) MakeConnection(t reactor.Transport) { g.t = t }
func (g *greeter) ConnectionMade() {
	g.t.Write([]byte("hello " + g.t.Peer().String() + "\n"))
	if !g.stayOpen {
		g.t.LoseConnection()
	}
}
func (g *greeter) DataReceived(b []byte)       { g.got = append(g.got, b...) }
func (g *greeter) ConnectionLost(reason error) { g.lost = reason }

// harness drives one headerProtocol over a fake transport and a fake clock.
type harness struct {
	clock    *task.Clock
	t        *fakeTransport
	p        *headerProtocol
	inner    *greeter
	stayOpen bool // the greeter does not close after its greeting
	rejects  []Rejected
	builtFor net.Addr
}

var proxyAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

func newHarness(opts ...Option) *harness {
	h := &harness{clock: task.NewClock(), t: &fakeTransport{peer: proxyAddr}}
	inner := reactor.FactoryFunc(func(addr net.Addr) reactor.Protocol {
		h.builtFor = addr
		h.inner = &greeter{stayOpen: h.stayOpen}
		return h.inner
	})
	opts = append([]Option{WithRejectObserver(func(r Rejected) { h.rejects = append(h.rejects, r) })}, opts...)
	f := NewFactory(h.clock, inner, opts...)
	h.p = f.BuildProtocol(proxyAddr).(*headerProtocol)
	h.p.MakeConnection(h.t)
	h.p.ConnectionMade()
	return h
}

// lose ends the connection the way the reactor would after an abort or a
// close, and returns the rejection reported, if any.
func (h *harness) lose(reason error) error {
	h.p.ConnectionLost(reason)
	if len(h.rejects) > 1 {
		panic("more than one rejection for one connection")
	}
	if len(h.rejects) == 1 {
		return h.rejects[0].Err
	}
	return nil
}

var errTestLost = errors.New("test: connection lost")

// headerV2 formats a v2 header for src -> dst, or a LOCAL one with nil
// addresses.
func headerV2(t testing.TB, src, dst *net.TCPAddr, tlvs ...pp.TLV) []byte {
	t.Helper()
	h := &pp.Header{Version: 2, Command: pp.LOCAL, TransportProtocol: pp.UNSPEC}
	if src != nil {
		h = pp.HeaderProxyFromAddrs(2, src, dst)
	}
	if len(tlvs) > 0 {
		if err := h.SetTLVs(tlvs); err != nil {
			t.Fatal(err)
		}
	}
	b, err := h.Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	clientAddr = &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 4242}
	serverAddr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 10000}
	client6    = &net.TCPAddr{IP: net.ParseIP("2001:db8::7"), Port: 4243}
	server6    = &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 10000}
)
