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
// whole. A loop therefore knows its open connections, and cutting them
// aborts each one (SO_LINGER 0, then close: the kernel sends RST), with
// the reason in the client's log record.

// openConns is a loop's set of open connections: an unordered slice, each
// connection knowing its index, so adding and removing cost no search and
// no allocation once the slice has grown.
type openConns struct {
	list []*trackedConn
}

func (o *openConns) add(p *trackedConn) {
	p.slot = len(o.list)
	o.list = append(o.list, p)
}

func (o *openConns) remove(p *trackedConn) {
	if p.slot < 0 {
		return
	}
	last := len(o.list) - 1
	moved := o.list[last]
	o.list[p.slot] = moved
	moved.slot = p.slot
	o.list[last] = nil
	o.list = o.list[:last]
	p.slot = -1
}

// trackedConn wraps a poem's protocol to keep it in its loop's openConns
// while its connection is open.
type trackedConn struct {
	reactor.Protocol
	l    *serveLoop
	t    reactor.Transport
	slot int
}

func (p *trackedConn) MakeConnection(t reactor.Transport) {
	p.t = t
	p.l.open.add(p)
	p.Protocol.MakeConnection(t)
}

func (p *trackedConn) ConnectionLost(reason error) {
	p.l.open.remove(p)
	p.Protocol.ConnectionLost(reason)
}

// trackedHalfClose is a trackedConn whose protocol goes on sending after
// the client shuts its side (every poetry server protocol does).
type trackedHalfClose struct{ trackedConn }

func (p *trackedHalfClose) ReadConnectionLost() {
	p.Protocol.(reactor.HalfCloseableProtocol).ReadConnectionLost()
}

// track wraps proto for l.
func (l *serveLoop) track(proto reactor.Protocol) reactor.Protocol {
	if _, ok := proto.(reactor.HalfCloseableProtocol); ok {
		return &trackedHalfClose{trackedConn{Protocol: proto, l: l, slot: -1}}
	}
	return &trackedConn{Protocol: proto, l: l, slot: -1}
}

// cut aborts every connection still open, recording why in each client's
// log record (see observe).
func (l *serveLoop) cut(why string) {
	l.cutReason = errors.New("cut: " + why)
	for _, p := range append([]*trackedConn(nil), l.open.list...) {
		p.t.AbortConnection()
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
