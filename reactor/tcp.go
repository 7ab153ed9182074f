package reactor

import (
	"golang.org/x/sys/unix"

	"gyre/deferred"
)

// tcpState is the reactor's part of the TCP layer: the queue of
// connections whose end is delivered once the current callbacks are done,
// the set of open connections the backend watches for nothing, and the
// scratch vector for writev.
type tcpState struct {
	// lost holds connections that closed themselves during a callback
	// (LoseConnection with nothing left to send, AbortConnection, a
	// failed write): ConnectionLost must not run inside the protocol's own
	// call, so it waits for the end of the phase (see runLostQueue).
	lost  []*Conn
	spare []*Conn

	// parked holds descriptors the TCP layer owns that are registered for
	// nothing right now (a paused idle connection, a port backing off
	// after EMFILE), so that shutdown can still close them. It is empty
	// in normal operation: no per-connection entry.
	parked map[FileDescriptor]struct{}

	iov []unix.Iovec

	// discard receives the unread input a connection drops before a
	// clean close (Conn.discardInput); not the read buffer, which a
	// protocol may still hold when another connection closes.
	discard []byte

	// plain receives what TLS connections decrypt (a record at most per
	// call), shared like the read buffer: see TLSConn.
	plain []byte
}

// tlsPlainBuffer returns the shared buffer for decrypted input.
func (r *Reactor) tlsPlainBuffer() []byte {
	if r.tcp.plain == nil {
		r.tcp.plain = make([]byte, 16<<10)
	}
	return r.tcp.plain
}

// watch sets what the backend watches on fd for d, reader and writer at
// once, in at most one backend call. It is the TCP layer's registration:
// d is one of the reactor's own types, so the checks of AddReader (for
// arbitrary descriptors) are not needed, except the backend's own.
func (r *Reactor) watch(fd int, d interface {
	ReadDescriptor
	WriteDescriptor
}, read, write bool) error {
	r.slot(fd) // grow the table if needed
	var want interest
	if read {
		want |= wantRead
	}
	if write {
		want |= wantWrite
	}
	if err := r.setInterest(fd, want); err != nil {
		return err
	}
	s := &r.slots[fd]
	added := false
	if read != (s.reader != nil) {
		if read {
			s.reader = d
			r.nreaders++
			added = true
		} else {
			s.reader = nil
			r.nreaders--
		}
	}
	if write != (s.writer != nil) {
		if write {
			s.writer = d
			r.nwriters++
			added = true
		} else {
			s.writer = nil
			r.nwriters--
		}
	}
	if added {
		s.round = r.round
	}
	return nil
}

// park adds d to (on) or removes it from (off) the parked set.
func (r *Reactor) park(c *Conn, on bool) {
	if on == (c.flags&fParked != 0) {
		return
	}
	if on {
		if r.tcp.parked == nil {
			r.tcp.parked = make(map[FileDescriptor]struct{})
		}
		r.tcp.parked[c] = struct{}{}
		c.flags |= fParked
		return
	}
	delete(r.tcp.parked, c)
	c.flags &^= fParked
}

// queueLost puts c in the end-of-phase queue.
func (r *Reactor) queueLost(c *Conn) {
	if c.flags&fQueued != 0 {
		return
	}
	c.flags |= fQueued
	r.tcp.lost = append(r.tcp.lost, c)
}

// runLostQueue finishes the queued connections. It runs after each phase
// of the loop (calls from goroutines, timers, I/O dispatch), so a
// connection closed by a callback is told within the same turn. Endings
// caused by the ConnectionLost calls themselves are handled in the same
// run.
func (r *Reactor) runLostQueue() {
	for len(r.tcp.lost) > 0 {
		batch := r.tcp.lost
		r.tcp.lost = r.tcp.spare[:0]
		for i, c := range batch {
			batch[i] = nil
			c.finishQueued()
		}
		r.tcp.spare = batch[:0]
	}
}

// shutdownTCP ends what the TCP layer still owns when Run returns: parked
// descriptors are told ConnectionLost(ErrConnectionLost) like the
// registered ones, and queued endings are delivered.
func (r *Reactor) shutdownTCP() {
	r.runLostQueue()
	for len(r.tcp.parked) > 0 {
		for d := range r.tcp.parked {
			delete(r.tcp.parked, d)
			if c, ok := d.(*Conn); ok {
				c.flags &^= fParked
			}
			r.callLost(d, ErrConnectionLost)
		}
		r.runLostQueue()
	}
}

// callMade runs MakeConnection and ConnectionMade, returning the Failure if
// either panicked (it is logged too).
func (r *Reactor) callMade(c *Conn) (failure *deferred.Failure) {
	defer func() {
		if p := recover(); p != nil {
			failure = deferred.NewFailureFromPanic(p)
			r.logFailure(failure, c)
		}
	}()
	c.proto.MakeConnection(c)
	c.proto.ConnectionMade()
	return nil
}

// callProtocolLost runs the protocol's ConnectionLost, logging a panic.
func (r *Reactor) callProtocolLost(c *Conn, reason error) {
	defer func() {
		if p := recover(); p != nil {
			r.logFailure(deferred.NewFailureFromPanic(p), c)
		}
	}()
	c.proto.ConnectionLost(reason)
}
