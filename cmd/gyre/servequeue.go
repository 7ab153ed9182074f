package main

import (
	"time"

	"gyre/reactor"
)

// Holding clients in the listen queue at --max-conns. Over TCP a
// connection beyond the limit is refused with a reset (see refuser), which
// its client reports as a failure. A Unix stream socket cannot reset: the
// refused client would read a clean end of stream, a whole and empty poem.
// So a loop stops accepting on its Unix sockets while the limit is
// reached, and their clients wait in the kernel's listen queue (the
// socket's backlog), costing the process nothing, until a poem ends and a
// place is free. A client that does not want to wait gives up on its own
// timeout; none is told its empty poem is whole.
//
// With several loops the limit is shared, and another loop can fill it
// while this one accepts: a Unix socket's connection then taken beyond
// the limit is served all the same (one at most per loop and socket,
// since its accept stops the socket at once), and the loop, which hears
// nothing of the other loops' poems ending, looks again every
// queueRecheck.

// queueRecheck is how often a loop whose Unix sockets wait for a place
// under a limit shared with other loops looks whether one is free.
const queueRecheck = 20 * time.Millisecond

// queueing marks port, which cannot reset a connection, as one whose
// clients wait in its listen queue at the limit (see above).
func (l *serveLoop) queueing(port *reactor.Port) {
	l.queuePorts = append(l.queuePorts, port)
}

// admitQueued admits a connection accepted on a port that cannot refuse
// it: beyond the limit if need be (see above).
func (l *serveLoop) admitQueued() {
	if !l.gate.acquire() {
		l.gate.force()
	}
}

// holdAtLimit stops accepting on the queueing ports if the connection
// just admitted reached the limit.
func (l *serveLoop) holdAtLimit() {
	if len(l.queuePorts) == 0 || l.queueHeld || !l.gate.full() {
		return
	}
	l.queueHeld = true
	for _, p := range l.queuePorts {
		p.PauseAccepting()
	}
	if l.gate.shared != nil {
		reactor.Reschedule(l.r, &l.queueTimer, queueRecheck, l.queueCheckFn)
	}
}

// releaseQueue accepts again on the queueing ports once a place is free
// (a poem ended, here or on another loop).
func (l *serveLoop) releaseQueue() {
	if !l.queueHeld {
		return
	}
	if l.gate.full() {
		if l.gate.shared != nil && !l.draining {
			reactor.Reschedule(l.r, &l.queueTimer, queueRecheck, l.queueCheckFn)
		}
		return
	}
	l.queueHeld = false // a recheck still pending finds nothing to do
	for _, p := range l.queuePorts {
		p.ResumeAccepting() // a port the drain closed stays closed
	}
}
