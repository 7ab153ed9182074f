package policies

import (
	"gyre/protocols/internal/halfclose"
	"gyre/protocols/internal/loop"
	"gyre/reactor"
)

// wrapper is a protocol that stands between the reactor and another one:
// it forwards every event, and hooks run around some.
type wrapper struct {
	inner  reactor.Protocol
	onData func(n int) // before the inner protocol's DataReceived
	onLost func(error) // after the inner protocol's ConnectionLost
	onMade func()      // after the inner protocol's ConnectionMade
	wrapT  func(reactor.Transport) reactor.Transport
}

func (w *wrapper) MakeConnection(t reactor.Transport) {
	if w.wrapT != nil {
		t = w.wrapT(t)
	}
	w.inner.MakeConnection(t)
}

func (w *wrapper) ConnectionMade() {
	w.inner.ConnectionMade()
	if w.onMade != nil {
		w.onMade()
	}
}

func (w *wrapper) DataReceived(data []byte) {
	if w.onData != nil {
		w.onData(len(data))
	}
	w.inner.DataReceived(data)
}

// ConnectionLost runs onLost even when the inner protocol's ConnectionLost
// panics (the reactor contains the panic): the wrapper's bookkeeping (a
// Limit's count, a Throttle's set, an idle timer) must not keep a dead
// connection.
func (w *wrapper) ConnectionLost(reason error) {
	if w.onLost != nil {
		defer w.onLost(reason)
	}
	w.inner.ConnectionLost(reason)
}

// Unwrap returns the wrapped protocol (reactor.ProtocolWrapper).
func (w *wrapper) Unwrap() reactor.Protocol { return w.inner }

// protocol returns w as a reactor.Protocol with the same optional
// interfaces as the protocol it wraps.
func (w *wrapper) protocol() reactor.Protocol { return halfclose.Keep(w, w.inner) }

// clockFor returns clock, or when it is nil the reactor of the connection
// whose transport is t (a reactor is a Clock). With neither it panics with
// a message that says which field to set: a nil Clock found later would
// be a nil call inside a timer, with no word of what was missing.
func clockFor(clock reactor.Clock, t reactor.Transport, what string) reactor.Clock {
	if clock != nil {
		return clock
	}
	if r := loop.Of(t); r != nil {
		return r
	}
	panic("policies: " + what + " has no Clock, and its transport no reactor: set Clock (the reactor, or a task.Clock in tests)")
}
