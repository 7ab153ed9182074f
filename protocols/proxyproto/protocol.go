package proxyproto

import (
	"gyre/protocols/internal/halfclose"
	"gyre/reactor"
)

// headerProtocol is a connection's protocol while its header arrives, and
// then the relay to the inner protocol: every later call is passed on.
type headerProtocol struct {
	f     *Factory
	t     reactor.Transport
	timer *reactor.DelayedCall
	// buf holds the bytes of a header that arrives in more than one
	// read (at most MaxHeaderSize). A header that comes whole in one
	// read, as balancers send it, is parsed in place and never copied.
	buf      []byte
	inner    reactor.Protocol
	rejected error // why the connection was aborted, once it was
	building bool  // inside the inner factory's BuildProtocol (see ConnectionLost)
}

func (p *headerProtocol) MakeConnection(t reactor.Transport) { p.t = t }

// Unwrap returns the inner protocol, nil until the header has chosen it
// (reactor.ProtocolWrapper).
func (p *headerProtocol) Unwrap() reactor.Protocol { return p.inner }

// ConnectionMade starts the clock on the header; the inner protocol is not
// started yet, so a poem server writes nothing before the header is in.
func (p *headerProtocol) ConnectionMade() {
	p.timer = p.f.clockFor(p.t).CallLater(p.f.timeout, p.expire)
}

func (p *headerProtocol) DataReceived(data []byte) {
	switch {
	case p.inner != nil:
		p.inner.DataReceived(data)
		return
	case p.rejected != nil:
		return // aborted: the loss follows
	}
	b := data
	if p.buf != nil {
		p.buf = append(p.buf, data...)
		b = p.buf
	}
	res, n := frame(b)
	switch res {
	case frameMore:
		if p.buf == nil {
			// data is the reactor's read buffer: keep a copy.
			p.buf = append(make([]byte, 0, 2*len(data)), data...)
		}
	case frameNotHeader:
		p.reject(ErrNoHeader)
	case frameTooLarge:
		p.reject(ErrTooLarge)
	case frameMalformed:
		p.reject(&wrapped{ErrMalformed, errV2FixedPart})
	case frameComplete:
		h, err := p.f.dec.decode(b[:n])
		if err != nil {
			p.reject(err)
			return
		}
		p.buf = nil
		if p.f.tls != nil {
			p.startTLS(h, b[n:])
			return
		}
		p.start(h, b[n:])
	}
}

// startTLS starts TLS on the connection once the header is in (WithTLS),
// and then the inner protocol over it. The connection's protocol becomes
// the TLS layer, with this one above it: StartTLS hands this protocol the
// TLS transport (MakeConnection), on which start builds the inner
// protocol's, and the plaintext comes back through DataReceived. rest,
// what followed the header in the same read, is the start of the client's
// TLS hello: it goes to the TLS layer as if just read.
func (p *headerProtocol) startTLS(h header, rest []byte) {
	c, ok := p.t.(*reactor.Conn)
	if !ok {
		p.reject(ErrRefused)
		return
	}
	if _, err := c.StartTLSTimeout(p.f.tls, p.f.tlsTimeout); err != nil {
		p.reject(&wrapped{ErrRefused, err})
		return
	}
	if len(rest) > 0 {
		c.Protocol().DataReceived(rest)
	}
	p.start(h, nil)
}

// start builds the inner protocol for the client the header names, starts
// it on a transport that reports the client's address, and passes on the
// bytes that followed the header in the same read, unless ConnectionMade
// closed the connection: a connection stops reading once asked to close,
// and without the wrapper those bytes would never have been delivered.
func (p *headerProtocol) start(h header, rest []byte) {
	if p.timer != nil && p.timer.Active() {
		p.timer.Cancel()
	}
	t := p.t
	if !h.local {
		t = wrapTransport(p.t, h.src, h.dst)
	}
	p.building = true
	inner := p.f.inner.BuildProtocol(t.Peer())
	p.building = false
	if inner == nil {
		p.reject(ErrRefused)
		return
	}
	p.inner = inner
	inner.MakeConnection(t)
	inner.ConnectionMade()
	if len(rest) > 0 && !t.Disconnecting() {
		inner.DataReceived(rest)
	}
}

// expire is the timer: the header is late.
func (p *headerProtocol) expire() { p.reject(ErrTimeout) }

// reject aborts the connection (a reset, never a clean close: nothing was
// served) and remembers why, for the report at ConnectionLost.
func (p *headerProtocol) reject(err error) {
	if p.rejected != nil {
		return
	}
	p.rejected = err
	p.buf = nil
	p.t.AbortConnection()
}

// AcceptsHalfClose tells the reactor, at the peer's end of stream, whether
// to call ReadConnectionLost: before the header is in, always, so that
// the wrapper rejects the connection; after it, only for an inner protocol
// that takes half-closes now, as the reactor would ask it (with another,
// the connection ends as it would without the wrapper).
func (p *headerProtocol) AcceptsHalfClose() bool {
	if p.inner == nil {
		return p.rejected == nil
	}
	return halfclose.Accepts(p.inner)
}

// ReadConnectionLost passes the peer's half-close on to the inner
// protocol (the reactor calls it only when AcceptsHalfClose said so).
// Before the header is complete it rejects the connection: the stream
// ended without a header, and a reset (not the clean close the reactor
// would make) tells the client that nothing was served, where an empty
// stream would pass for an empty answer.
func (p *headerProtocol) ReadConnectionLost() {
	if p.inner == nil {
		p.reject(&wrapped{ErrClosed, reactor.ErrConnectionDone})
		return
	}
	if hc, ok := p.inner.(reactor.HalfCloseableProtocol); ok {
		hc.ReadConnectionLost()
	}
}

// WriteConnectionLost passes on the end of the write side, to an inner
// protocol that wants to know.
func (p *headerProtocol) WriteConnectionLost() {
	if w, ok := p.inner.(interface{ WriteConnectionLost() }); ok {
		w.WriteConnectionLost()
	}
}

var _ reactor.HalfCloseSelector = (*headerProtocol)(nil)

// ConnectionLost is passed on to the inner protocol once there is one;
// before that, the connection is reported as rejected: refused if the
// inner factory panicked (the reactor recovered the panic out of
// BuildProtocol and ends the connection with it as the reason), since the
// header had come whole.
func (p *headerProtocol) ConnectionLost(reason error) {
	if p.timer != nil && p.timer.Active() {
		p.timer.Cancel()
	}
	if p.inner != nil {
		p.inner.ConnectionLost(reason)
		return
	}
	err := p.rejected
	switch {
	case err != nil:
	case p.building:
		err = &wrapped{ErrRefused, reason}
	default:
		err = &wrapped{ErrClosed, reason}
	}
	p.buf = nil
	p.f.reject(Rejected{Peer: p.t.Peer(), Err: err})
}
