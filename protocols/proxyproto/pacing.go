package proxyproto

import "gyre/reactor"

// The inner protocol's pausing. The bytes that followed the header in the
// read that completed it (rest) reach the inner protocol at once, unless
// its ConnectionMade paused its transport (waiting for a backend, say):
// without the wrapper that protocol would get no DataReceived until it
// resumed, and the connection would not even read them. So the inner
// protocol's transport notes its pauses and resumes, rest is kept (a copy:
// it lies in the reactor's read buffer), and the resume that ends the
// pause delivers it, before anything read afterwards. The note is a flag,
// not a count, as the connection's own pausing is.
//
// The paced transports below are what a LOCAL connection's inner protocol
// gets (its own addresses); a proxied one's transport embeds them.

// pause notes that the inner protocol's transport was paused.
func (p *headerProtocol) pause() { p.innerPaused = true }

// resume notes the resume and delivers what was kept.
func (p *headerProtocol) resume() {
	p.innerPaused = false
	if p.held != nil {
		p.deliverHeld()
	}
}

// deliverHeld hands the inner protocol the bytes kept after the header,
// once, unless the connection is closing (a protocol that closed does not
// read, and without the wrapper those bytes would never have come). It
// reports whether the connection still reads.
func (p *headerProtocol) deliverHeld() bool {
	held := p.held
	p.held = nil
	if p.t.Disconnecting() {
		return false
	}
	p.inner.DataReceived(held)
	return !p.t.Disconnecting()
}

// pacedTCP is a TCP connection as the inner protocol sees it: the
// *reactor.Conn itself (embedded: Buffered, SetNoDelay, AcceptDelay...
// are all there), whose pauses and resumes are noted.
type pacedTCP struct {
	*reactor.Conn
	p *headerProtocol
}

func (t *pacedTCP) PauseProducing()  { t.p.pause(); t.Conn.PauseProducing() }
func (t *pacedTCP) ResumeProducing() { t.Conn.ResumeProducing(); t.p.resume() }

// Unwrap gives the connection itself (reactor.TransportWrapper), so that a
// file poem still goes out with sendfile(2).
func (t *pacedTCP) Unwrap() reactor.Transport { return t.Conn }

// pacedTLS is the same for a TLS connection (WithTLS).
type pacedTLS struct {
	*reactor.TLSConn
	p *headerProtocol
}

func (t *pacedTLS) PauseProducing()  { t.p.pause(); t.TLSConn.PauseProducing() }
func (t *pacedTLS) ResumeProducing() { t.TLSConn.ResumeProducing(); t.p.resume() }

// Unwrap gives the TLS connection itself (reactor.TransportWrapper).
func (t *pacedTLS) Unwrap() reactor.Transport { return t.TLSConn }

// pacedAny is the same over any other Transport (a policy's, a test's).
type pacedAny struct {
	reactor.Transport
	p *headerProtocol
}

func (t *pacedAny) PauseProducing()  { t.p.pause(); t.Transport.PauseProducing() }
func (t *pacedAny) ResumeProducing() { t.Transport.ResumeProducing(); t.p.resume() }

// Unwrap gives the transport beneath (reactor.TransportWrapper).
func (t *pacedAny) Unwrap() reactor.Transport { return t.Transport }
