package reactor

// ProtocolWrapper is implemented by a protocol that stands in front of
// another and passes its events on (Twisted's ProtocolWrapper): the
// wrappers of protocols/policies, the PROXY protocol's header reader, a
// reconnecting service's tracker. Unwrap returns the protocol it wraps,
// or nil while it has none yet.
//
// A connection's Protocol is the outermost wrapper; InnerProtocol and
// ProtocolAs look beneath, and a connection's LogPrefix names the
// innermost protocol, the one whose code a log record is about.
type ProtocolWrapper interface {
	Unwrap() Protocol
}

// maxWrappers bounds the walk down a chain of wrappers, so that a wrapper
// that (wrongly) returns itself cannot hang a log line.
const maxWrappers = 16

// InnerProtocol returns the protocol beneath p's wrappers (p itself if p
// wraps nothing).
func InnerProtocol(p Protocol) Protocol {
	for range maxWrappers {
		w, ok := p.(ProtocolWrapper)
		if !ok {
			return p
		}
		inner := w.Unwrap()
		if inner == nil {
			return p
		}
		p = inner
	}
	return p
}

// ProtocolAs returns the first protocol of type T among p and the
// protocols beneath its wrappers, outermost first: the way back from a
// connection (Conn.Protocol, Reactor.Connections) to a server's own
// protocol when policies wrap it.
func ProtocolAs[T any](p Protocol) (T, bool) {
	for range maxWrappers + 1 {
		if t, ok := p.(T); ok {
			return t, true
		}
		w, ok := p.(ProtocolWrapper)
		if !ok {
			break
		}
		if p = w.Unwrap(); p == nil {
			break
		}
	}
	var zero T
	return zero, false
}
