package reactor

import (
	"errors"
	"io"

	"gyre/reactor/internal/poll"

	"gyre/deferred"
)

// dispatch hands one wait's events to their descriptors. It allocates
// nothing and takes no lock: an index into the descriptor table, two
// interface calls at most, and a check that the descriptor is still (and
// was already) registered, since any callback may add or remove others.
//
// The order for one fd is Twisted's: DoRead first, then DoWrite if the
// descriptor is still registered for writing and the read did not end it.
func (r *Reactor) dispatch(events []poll.Event) {
	for _, ev := range events {
		fd := int(ev.Fd)
		s := r.slots.lookup(fd)
		if s == nil {
			continue
		}
		if s.round == r.round {
			continue
		}
		what := ev.What
		if what&poll.Invalid != 0 {
			r.lostInvalid(fd)
			continue
		}
		if what&poll.Hangup != 0 {
			// Let the descriptor's own read or write find out why.
			what |= poll.Readable | poll.Writable
		}
		if what&poll.Readable != 0 && s.reader != nil {
			d := s.reader
			if r.batch != nil && what == poll.Readable {
				// Only readable: its receive can wait for the others'
				// (WithBatchedIO), there is nothing else to do for it.
				if c, ok := d.(*Conn); ok && c.readable() && r.batch.deferRead(c) {
					continue
				}
			}
			if err := r.doRead(d); err != nil {
				r.disconnect(fd, d, err, true)
				continue
			}
			// The callback may have re-registered fd (the table's
			// chunks never move, so s still points at its slot).
			if s.round == r.round {
				continue
			}
		}
		if what&poll.Writable != 0 && s.writer != nil {
			d := s.writer
			if err := r.doWrite(d); err != nil {
				r.disconnect(fd, d, err, false)
			}
		}
	}
	if r.batch != nil {
		r.readBatch()
	}
}

// doRead calls DoRead; a panic becomes its error (a *deferred.Failure).
func (r *Reactor) doRead(d ReadDescriptor) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), d, &err)
		}
	}()
	return d.DoRead()
}

// doWrite calls DoWrite; a panic becomes its error.
func (r *Reactor) doWrite(d WriteDescriptor) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), d, &err)
		}
	}()
	return d.DoWrite()
}

// disconnect is Twisted's _disconnectSelectable: drop the descriptor whose
// DoRead or DoWrite failed and tell it why, once.
func (r *Reactor) disconnect(fd int, d FileDescriptor, err error, reading bool) {
	reason := err
	if errors.Is(err, io.EOF) {
		reason = ErrConnectionDone
	}
	s := r.slots.at(fd)
	if reading && errors.Is(reason, ErrConnectionDone) {
		if hc, ok := d.(HalfCloseableDescriptor); ok {
			if s.reader != nil && FileDescriptor(s.reader) == d {
				r.dropReader(fd)
			}
			r.callReadLost(hc, reason)
			return
		}
	}
	if s.reader != nil && FileDescriptor(s.reader) == d {
		r.dropReader(fd)
	}
	if s.writer != nil && FileDescriptor(s.writer) == d {
		r.dropWriter(fd)
	}
	r.callLost(d, reason)
}

// lostInvalid drops whatever is registered on an fd the kernel says is not
// open.
func (r *Reactor) lostInvalid(fd int) {
	s := r.slots.at(fd)
	if s.internal {
		return
	}
	rd, wr := s.reader, s.writer
	if rd != nil {
		r.dropReader(fd)
		r.callLost(rd, ErrBadDescriptor)
	}
	if wr != nil {
		r.dropWriter(fd)
		if rd == nil || FileDescriptor(wr) != FileDescriptor(rd) {
			r.callLost(wr, ErrBadDescriptor)
		}
	}
}

// callLost calls ConnectionLost, containing a panic.
func (r *Reactor) callLost(d FileDescriptor, reason error) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), d, nil)
		}
	}()
	d.ConnectionLost(reason)
}

func (r *Reactor) callReadLost(d HalfCloseableDescriptor, reason error) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), d, nil)
		}
	}()
	d.ReadConnectionLost(reason)
}

// call runs a callback, containing a panic: one failing callback must not
// take the loop down.
func (r *Reactor) call(f func()) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), nil, nil)
		}
	}()
	f()
}
