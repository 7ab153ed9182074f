package reactortest

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"gyre/deferred"
	"gyre/reactor"
	"gyre/task"
)

// Reactor is a double of the reactor for code that keeps time and makes
// connections (Twisted's MemoryReactorClock): its time is the embedded
// task.Clock (CallLater, Now, Advance, Pump, Pending), and ConnectTCP and
// ListenTCP are recorded instead of touching the network. The test then
// decides what happens to each connection attempt (Connect.Complete,
// Connect.Fail) and starts server connections itself (Listen.Accept).
//
// It satisfies reactor.ClientReactor. The zero value is not usable: use
// NewReactor.
type Reactor struct {
	*task.Clock
	connects []*Connect
	listens  []*Listen
}

// NewReactor returns a Reactor whose clock is at the Unix epoch.
func NewReactor() *Reactor { return &Reactor{Clock: task.NewClock()} }

var _ reactor.ClientReactor = (*Reactor)(nil)

// ConnectTCP returns a *reactor.Connector that behaves as the reactor's own
// (StartedConnecting at once, the timeout on the clock, a *ConnectError for
// ClientConnectionFailed, StopConnecting, Connect again), and records each
// attempt it makes: the test finds it in Connects (or LastConnect) and
// completes or fails it.
func (r *Reactor) ConnectTCP(addr string, factory reactor.ClientFactory, timeout time.Duration) *reactor.Connector {
	return reactor.NewConnector(r.Clock, addr, factory, timeout, func(a *reactor.Attempt) {
		r.connects = append(r.connects, &Connect{Addr: addr, Factory: factory, Timeout: timeout, attempt: a})
	})
}

// Connects returns the connection attempts made so far, oldest first.
func (r *Reactor) Connects() []*Connect { return r.connects }

// LastConnect returns the latest connection attempt, or nil.
func (r *Reactor) LastConnect() *Connect {
	if len(r.connects) == 0 {
		return nil
	}
	return r.connects[len(r.connects)-1]
}

// Connect is one recorded connection attempt.
type Connect struct {
	Addr    string
	Factory reactor.ClientFactory
	Timeout time.Duration
	// Transport is the StringTransport the attempt was completed with.
	Transport *StringTransport

	attempt *reactor.Attempt
}

// Connector returns the connector making the attempt.
func (c *Connect) Connector() *reactor.Connector { return c.attempt.Connector() }

// Pending reports whether the attempt is still waiting for the test: not
// completed, failed, timed out or stopped.
func (c *Connect) Pending() bool { return c.attempt.Pending() }

// Complete connects the attempt over a new StringTransport whose peer is
// the address connected to (when it is an IP address): the factory builds
// the protocol, which gets ConnectionMade. When the transport ends
// (ClosePeer, ResetPeer, Disconnect...) the factory hears
// ClientConnectionLost after the protocol's ConnectionLost. The protocol is
// nil if the attempt was no longer pending or the factory refused it.
func (c *Connect) Complete() (*StringTransport, reactor.Protocol) {
	t := NewStringTransport()
	if ap, err := netip.ParseAddrPort(c.Addr); err == nil {
		t.PeerAddr = net.TCPAddrFromAddrPort(ap)
	}
	return t, c.CompleteWith(t)
}

// CompleteWith is Complete over a transport of the test's own.
func (c *Connect) CompleteWith(t *StringTransport) reactor.Protocol {
	if !c.Pending() {
		return nil
	}
	c.Transport = t
	t.onLost = c.attempt.Lost
	var p reactor.Protocol
	t.during(func() {
		p = c.attempt.Succeed(t)
		t.proto = p
	})
	return p
}

// Fail fails the attempt with err: the factory's ClientConnectionFailed
// gets a *reactor.ConnectError wrapping it.
func (c *Connect) Fail(err error) { c.attempt.Fail(err) }

// Refuse fails the attempt as when nothing listens: ECONNREFUSED.
func (c *Connect) Refuse() { c.Fail(syscall.ECONNREFUSED) }

// ErrListening is ListenTCP's error for an address the Reactor is already
// listening on.
var ErrListening = errors.New("reactortest: already listening on that address")

// ListenTCP records a listening port. It returns a *Listen (not a
// *reactor.Port: a test starts connections with Listen.Accept), or
// ErrListening if a port that is still listening has the same address
// (port 0 excepted). A nil factory is a *reactor.ListenError, as with the
// reactor's ListenTCP.
func (r *Reactor) ListenTCP(addr string, factory reactor.Factory, opts ...reactor.ListenOption) (*Listen, error) {
	if factory == nil {
		return nil, &reactor.ListenError{Path: addr, Err: errors.New("nil factory")}
	}
	for _, l := range r.listens {
		if l.listening && l.Addr == addr && !hasPortZero(addr) {
			return nil, ErrListening
		}
	}
	l := &Listen{Addr: addr, Factory: factory, Options: opts, listening: true}
	r.listens = append(r.listens, l)
	return l, nil
}

func hasPortZero(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	return err == nil && port == "0"
}

// Listens returns the ports ListenTCP recorded, oldest first.
func (r *Reactor) Listens() []*Listen { return r.listens }

// Listen is one recorded listening port.
type Listen struct {
	Addr    string
	Factory reactor.Factory
	Options []reactor.ListenOption

	listening bool
}

// Listening reports whether StopListening has not been called.
func (l *Listen) Listening() bool { return l.listening }

// StopListening stops the port; the Deferred has fired, as the reactor's
// has.
func (l *Listen) StopListening() *deferred.Deferred {
	l.listening = false
	return deferred.Succeed(nil)
}

// Accept starts a server connection as the reactor does for a client that
// connects: the factory builds a protocol for the transport's peer, which
// is connected to a new StringTransport (ConnectionMade runs). The protocol
// is nil if the factory refused the connection; Accept panics if the port
// has stopped listening, which is a mistake in the test.
func (l *Listen) Accept() (*StringTransport, reactor.Protocol) {
	t := NewStringTransport()
	return t, l.AcceptWith(t)
}

// AcceptWith is Accept over a transport of the test's own.
func (l *Listen) AcceptWith(t *StringTransport) reactor.Protocol {
	if !l.listening {
		panic("reactortest: Accept on a port that stopped listening")
	}
	p := l.Factory.BuildProtocol(t.Peer())
	if p == nil {
		return nil
	}
	t.Connect(p)
	return p
}
