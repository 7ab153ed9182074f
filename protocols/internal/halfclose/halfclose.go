// Package halfclose lets a protocol that wraps another keep the optional
// half-close interfaces of the one it wraps. The reactor looks for them by
// type assertion on the protocol it was given: a wrapper that hid them would
// turn a peer's half-close into the end of the whole connection.
package halfclose

import "gyre/reactor"

// writeHalfCloseable is the optional WriteConnectionLost of a protocol.
type writeHalfCloseable interface{ WriteConnectionLost() }

// Keep returns w, the wrapper of inner, with ReadConnectionLost (and
// WriteConnectionLost) forwarded to inner if inner has them; w itself
// otherwise.
func Keep(w, inner reactor.Protocol) reactor.Protocol {
	hc, ok := inner.(reactor.HalfCloseableProtocol)
	if !ok {
		return w
	}
	h := half{w, hc}
	if wc, ok := inner.(writeHalfCloseable); ok {
		return halfAndWrite{h, wc}
	}
	return h
}

// half is a wrapper that forwards ReadConnectionLost.
type half struct {
	reactor.Protocol
	inner reactor.HalfCloseableProtocol
}

func (h half) ReadConnectionLost() { h.inner.ReadConnectionLost() }

// Unwrap returns the wrapper it adds the interfaces to, so that
// reactor.InnerProtocol and reactor.ProtocolAs go on through it.
func (h half) Unwrap() reactor.Protocol { return h.Protocol }

// halfAndWrite also forwards WriteConnectionLost.
type halfAndWrite struct {
	half
	inner writeHalfCloseable
}

func (h halfAndWrite) WriteConnectionLost() { h.inner.WriteConnectionLost() }
