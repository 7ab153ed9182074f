// Package halfclose lets a protocol that wraps another keep the optional
// half-close interfaces of the one it wraps. The reactor looks for them by
// type assertion on the protocol it was given: a wrapper that hid them would
// turn a peer's half-close into the end of the whole connection, and one
// that hid a reactor.HalfCloseSelector's answer would take every
// half-close, even for a protocol that has just said it takes none.
package halfclose

import "gyre/reactor"

// writeHalfCloseable is the optional WriteConnectionLost of a protocol.
type writeHalfCloseable interface{ WriteConnectionLost() }

// selector is the method of reactor.HalfCloseSelector.
type selector interface{ AcceptsHalfClose() bool }

// Keep returns w, the wrapper of inner, with ReadConnectionLost (and
// WriteConnectionLost) forwarded to inner if inner has them; w itself
// otherwise. When inner has them, the result is a reactor.HalfCloseSelector
// that answers as inner does (Accepts).
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

// Accepts reports whether the reactor would call p's ReadConnectionLost at
// the peer's end of stream now: p has it and, if p is a
// reactor.HalfCloseSelector, says yes. A wrapper that chooses for itself
// asks this of the protocol it wraps.
func Accepts(p reactor.Protocol) bool {
	if _, ok := p.(reactor.HalfCloseableProtocol); !ok {
		return false
	}
	if s, ok := p.(selector); ok {
		return s.AcceptsHalfClose()
	}
	return true
}

// half is a wrapper that forwards ReadConnectionLost.
type half struct {
	reactor.Protocol
	inner reactor.HalfCloseableProtocol
}

func (h half) ReadConnectionLost() { h.inner.ReadConnectionLost() }

// AcceptsHalfClose passes the question on (reactor.HalfCloseSelector): a
// wrapped protocol that decides only once the connection runs (a PROXY
// header reader, whose inner protocol may take no half-close) would
// otherwise have every half-close forwarded to it, and a connection whose
// protocol ignores it would stay open after the peer's end of stream.
func (h half) AcceptsHalfClose() bool { return Accepts(h.inner) }

// Unwrap returns the wrapper it adds the interfaces to, so that
// reactor.InnerProtocol and reactor.ProtocolAs go on through it.
func (h half) Unwrap() reactor.Protocol { return h.Protocol }

// halfAndWrite also forwards WriteConnectionLost.
type halfAndWrite struct {
	half
	inner writeHalfCloseable
}

func (h halfAndWrite) WriteConnectionLost() { h.inner.WriteConnectionLost() }

var (
	_ reactor.HalfCloseSelector = half{}
	_ reactor.HalfCloseSelector = halfAndWrite{}
)
