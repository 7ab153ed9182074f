package reactor

import "gyre/internal/sock"

// Services of the loop that the transports stand on. The loop knows no
// transport: it knows descriptors, things to finish at the end of a phase,
// and descriptors it holds while they are watched for nothing.

// ender is work the loop finishes at the end of the current phase (the
// calls from other goroutines, the due timers, one wait's dispatch): a
// connection that closed itself inside a protocol's callback is told
// ConnectionLost there, never inside the protocol's own call.
type ender interface {
	endOfPhase()
}

// atEndOfPhase queues e. The caller keeps e from being queued twice.
func (r *Reactor) atEndOfPhase(e ender) {
	r.endings = append(r.endings, e)
}

// runEndings finishes the queued work, including work queued meanwhile by
// the work itself (a ConnectionLost that closes another connection).
func (r *Reactor) runEndings() {
	for len(r.endings) > 0 {
		batch := r.endings
		r.endings = r.spareEnds[:0]
		for i, e := range batch {
			batch[i] = nil
			e.endOfPhase()
		}
		r.spareEnds = batch[:0]
	}
}

// hold keeps d (on) or stops keeping it (off) in the set of descriptors the
// loop owns while they are watched for nothing (a paused idle connection,
// a port backing off after EMFILE), so that the shutdown still tells them
// ConnectionLost. The set is empty in normal operation.
func (r *Reactor) hold(d FileDescriptor, on bool) {
	if on {
		if r.held == nil {
			r.held = make(map[FileDescriptor]struct{})
		}
		r.held[d] = struct{}{}
		return
	}
	delete(r.held, d)
}

// ioScratch is scratch space the loop lends to every transport on it: one
// loop goroutine, so one of each is enough.
type ioScratch struct {
	iov sock.Iovecs // writev's vector
	// discard receives the unread input a connection drops before a
	// clean close; not the read buffer, which a protocol may still hold
	// when another connection closes.
	discard []byte
	// plain receives what TLS connections decrypt (a record at most per
	// call), shared like the read buffer: see TLSConn.
	plain  []byte
	tlsOut []byte // records of one TLS write, gathered (TLSConn.encrypt)
}

// discardBuffer returns the buffer input is dropped into (discard),
// making it on first use.
func (s *ioScratch) discardBuffer() []byte {
	if s.discard == nil {
		s.discard = make([]byte, 64<<10)
	}
	return s.discard
}
