package proxyproto

import (
	"crypto/tls"
	"net"
	"time"

	"gyre/reactor"
)

// DefaultTimeout is how long a connection may take to deliver its whole
// header when no WithTimeout is given. A balancer sends the header with
// the connection's first packet, so anything near this is an attack or a
// client that bypassed the balancer.
const DefaultTimeout = 3 * time.Second

// Rejected is the record of a connection aborted before its header was
// complete: it never reached the inner factory.
type Rejected struct {
	Peer net.Addr // the connection's own peer (the balancer, or whoever connected)
	Err  error    // ErrNoHeader, ErrMalformed, ErrTooLarge, ErrTimeout, ErrClosed or ErrRefused
}

// Option configures a Factory.
type Option func(*Factory)

// WithTimeout bounds the wait for the header (default DefaultTimeout).
// A d of zero or less means DefaultTimeout: the wait is always bounded, so
// that a client that never sends a header cannot hold its connection, and
// a literal zero would reset every connection before its header came.
func WithTimeout(d time.Duration) Option {
	return func(f *Factory) {
		if d <= 0 {
			d = DefaultTimeout
		}
		f.timeout = d
	}
}

// WithRejectObserver calls fn, on the loop, once for each connection
// rejected before its header was complete, when it has ended.
func WithRejectObserver(fn func(Rejected)) Option {
	return func(f *Factory) { f.onReject = fn }
}

// WithTLS has each connection start TLS, as the server, once its header
// is in: the balancer sends the header in clear text and then the
// client's TLS on the same connection (HAProxy's send-proxy or
// send-proxy-v2 on a server line with ssl). The inner protocol is served
// over the TLS transport (a *reactor.TLSConn beneath the Proxied one);
// handshakeTimeout bounds the handshake as reactor.Conn.StartTLSTimeout
// says. Listen on plain TCP for this, not TLS: a TLS port would expect the
// header inside the TLS stream. A connection whose transport cannot start
// TLS (not a *reactor.Conn) is rejected with ErrRefused.
func WithTLS(config *tls.Config, handshakeTimeout time.Duration) Option {
	return func(f *Factory) { f.tls, f.tlsTimeout = config, handshakeTimeout }
}

// Factory is a reactor.Factory that reads a PROXY protocol header on each
// connection before handing it to inner (see the package documentation).
//
// A Factory belongs to one reactor, whose clock it is given, and is used
// on its loop only: it reuses one decoding buffer for all its connections.
// Serving a port on several loops takes one Factory per loop.
type Factory struct {
	clock    reactor.Clock
	inner    reactor.Factory
	timeout  time.Duration
	onReject func(Rejected)
	dec      decoder

	tls        *tls.Config // WithTLS: started after the header
	tlsTimeout time.Duration
}

// NewFactory wraps inner; clock times the wait for each header. A nil
// clock means the reactor of each connection (as the policies' Clock
// fields do); a test's transport without one panics in ConnectionMade,
// saying so.
func NewFactory(clock reactor.Clock, inner reactor.Factory, opts ...Option) *Factory {
	f := &Factory{clock: clock, inner: inner, timeout: DefaultTimeout}
	for _, o := range opts {
		o(f)
	}
	return f
}

// BuildProtocol returns the protocol that waits for the header. The inner
// protocol is built only once the header is in, with the client's address.
func (f *Factory) BuildProtocol(net.Addr) reactor.Protocol {
	return &headerProtocol{f: f}
}

// clockFor returns the factory's clock, or when it is nil the reactor of
// the connection whose transport is t (a reactor is a Clock). With neither
// it panics with a message that says what to pass: a nil Clock found
// later would be a bare nil-pointer panic.
func (f *Factory) clockFor(t reactor.Transport) reactor.Clock {
	if f.clock != nil {
		return f.clock
	}
	if rt, ok := t.(interface{ Reactor() *reactor.Reactor }); ok {
		if r := rt.Reactor(); r != nil {
			return r
		}
	}
	panic("proxyproto: NewFactory was given no clock, and the connection's transport has no reactor: pass the reactor (or a task.Clock in tests)")
}

// reject reports r to the observer, if there is one.
func (f *Factory) reject(r Rejected) {
	if f.onReject != nil {
		f.onReject(r)
	}
}
