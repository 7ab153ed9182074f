package reactor

import (
	"net"

	"gyre/deferred"
)

// The TCP transport's use of the loop's services: registration (register),
// the end-of-phase queue (atEndOfPhase) and the held set (hold). Nothing of
// TCP lives in the loop itself.

// watch registers c as reader, writer, both or neither of its fd, in at most
// one backend call.
func (c *Conn) watch(read, write bool) error {
	var rd ReadDescriptor
	var wd WriteDescriptor
	if read {
		rd = c
	}
	if write {
		wd = c
	}
	return c.r.register(int(c.fd), rd, wd)
}

// park holds c in (on) or drops it from (off) the loop's held set: an open
// connection watched for nothing.
func (c *Conn) park(on bool) {
	if on == (c.flags&fParked != 0) {
		return
	}
	c.r.hold(c, on)
	c.flags ^= fParked
}

// queueLost puts c in the loop's end-of-phase queue, once.
func (c *Conn) queueLost() {
	if c.flags&fQueued != 0 {
		return
	}
	c.flags |= fQueued
	c.r.atEndOfPhase(c)
}

// endOfPhase is the queue's call: finishQueued.
func (c *Conn) endOfPhase() { c.finishQueued() }

// buildProtocol asks a factory for the protocol of a new connection,
// containing a panic (the connection is then refused, as for nil). d names
// what is building, in the log.
func (r *Reactor) buildProtocol(f Factory, peer net.Addr, d FileDescriptor) (proto Protocol) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), d, nil)
		}
	}()
	return f.BuildProtocol(peer)
}

// callMade runs MakeConnection and ConnectionMade, returning the Failure if
// either panicked (it is logged too).
func (r *Reactor) callMade(c *Conn) (failure error) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), c, &failure)
		}
	}()
	c.proto.MakeConnection(c)
	c.proto.ConnectionMade()
	return nil
}

// callProtocolLost runs the protocol's ConnectionLost, containing a panic.
func (r *Reactor) callProtocolLost(c *Conn, reason error) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), c, nil)
		}
	}()
	c.proto.ConnectionLost(reason)
}
