// Package loop finds the reactor a connection runs on from its transport,
// for protocols that must start more work on that same loop (a timer, or
// a second connection whose callbacks touch the first). A transport says
// so through a Reactor method (*reactor.Conn, *reactor.TLSConn, the
// transports policies hand their wrapped protocols); wrappers in between
// are looked through with reactor.TransportWrapper.
package loop

import "gyre/reactor"

// maxDepth bounds the wrappers looked through: a chain that loops back on
// itself must not hang the loop.
const maxDepth = 8

// Of returns the reactor of the connection whose transport t is, or
// wraps; nil if none says (a test double such as reactortest's
// StringTransport).
func Of(t reactor.Transport) *reactor.Reactor {
	for range maxDepth {
		if rt, ok := t.(interface{ Reactor() *reactor.Reactor }); ok {
			if r := rt.Reactor(); r != nil {
				return r
			}
		}
		w, ok := t.(reactor.TransportWrapper)
		if !ok {
			return nil
		}
		t = w.Unwrap()
	}
	return nil
}
