package main

import (
	"errors"

	"gyre/reactor"
)

// Cutting poems short. In the poetry protocol the end of the connection is
// the end of the poem, so a poem that gyre serve does not finish, for
// whatever reason (the grace period ran out, a second signal, --max-conns
// refused the client), must end with a reset, never a clean close: a
// client that got a FIN after half a poem would take the half for the
// whole. Cutting them aborts each connection open on the loop (SO_LINGER
// 0, then close: the kernel sends RST), with the reason in the client's
// log record. The reactor lists its connections (Reactor.Connections), so
// the loop keeps no set of its own: tracking every client for something
// done once, at a forced stop, would cost each client a wrapper and a
// slot for nothing.

// cut aborts every connection still open, recording why in each client's
// log record (see observe).
func (l *serveLoop) cut(why string) {
	l.cutReason = errors.New("cut: " + why)
	for _, c := range l.r.Connections() {
		c.AbortConnection()
	}
}

// cutReasonFor is the Served.Err to log for a connection that ended with
// err: an abort during a cut is the cut's reason.
func (l *serveLoop) cutReasonFor(err error) error {
	if l.cutReason != nil && errors.Is(err, reactor.ErrConnectionAborted) {
		return l.cutReason
	}
	return err
}

// refuser is the protocol of a connection --max-conns refuses: it aborts
// the connection as soon as it is made, so the client reads a reset (a
// failed download) rather than an empty poem. One per loop serves every
// refusal: the abort inside ConnectionMade closes the connection before
// the next one is accepted, and nothing of it is kept.
type refuser struct {
	t reactor.Transport
}

func (r *refuser) MakeConnection(t reactor.Transport) { r.t = t }
func (r *refuser) ConnectionMade() {
	r.t.AbortConnection()
	r.t = nil
}
func (r *refuser) DataReceived([]byte)  {}
func (r *refuser) ConnectionLost(error) {}
