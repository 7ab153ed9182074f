package reactor

import (
	"fmt"
	"reflect"

	"gyre/reactor/internal/poll"
)

// FileDescriptor is something with a file descriptor the reactor can watch.
// It is Twisted's IFileDescriptor.
//
// Fd must keep returning the registered fd for as long as the descriptor is
// registered: remove a descriptor (RemoveReader, RemoveWriter) before
// closing its fd. One object owns an fd: the reactor keeps at most one
// reader and one writer per fd, normally the same object (a TCP connection
// is both).
//
// Descriptors are compared by identity, so they must be of a comparable
// type; in practice a pointer to a struct.
type FileDescriptor interface {
	// Fd returns the file descriptor.
	Fd() int
	// ConnectionLost is called once when the reactor drops the descriptor
	// because DoRead or DoWrite failed or the reactor stopped. reason is
	// ErrConnectionDone for a clean end (DoRead returned it or io.EOF),
	// ErrConnectionLost when the reactor stops, ErrBadDescriptor if the fd
	// was closed while registered, a *deferred.Failure if DoRead or
	// DoWrite panicked, or the error they returned.
	ConnectionLost(reason error)
	// LogPrefix names the descriptor in log records (Twisted's logPrefix).
	LogPrefix() string
}

// ReadDescriptor is a FileDescriptor that wants to hear when its fd is
// readable (Twisted's IReadDescriptor).
type ReadDescriptor interface {
	FileDescriptor
	// DoRead is called when the fd is readable, or has hung up or failed
	// (the read then reports why). Returning a non-nil error (io.EOF or
	// ErrConnectionDone for a clean end) makes the reactor remove the
	// descriptor and call ConnectionLost. Because readiness is
	// level-triggered, a DoRead that meets end of file or an error and
	// returns nil is called again on the next turn, and the next.
	DoRead() error
}

// WriteDescriptor is a FileDescriptor that wants to hear when its fd is
// writable (Twisted's IWriteDescriptor).
type WriteDescriptor interface {
	FileDescriptor
	// DoWrite is called when the fd is writable, or has failed (the write or
	// SO_ERROR then reports why). A non-nil error disconnects the descriptor
	// as for DoRead.
	DoWrite() error
}

// HalfCloseableDescriptor is a ReadDescriptor that can go on writing after
// its read side has ended cleanly (Twisted's IHalfCloseableDescriptor).
// When its DoRead returns io.EOF or ErrConnectionDone the reactor removes it
// as a reader only and calls ReadConnectionLost instead of ConnectionLost.
type HalfCloseableDescriptor interface {
	ReadDescriptor
	ReadConnectionLost(reason error)
}

// fdSlot is the descriptor table entry for one fd.
type fdSlot struct {
	reader   ReadDescriptor
	writer   WriteDescriptor
	interest poll.Interest // what the backend is watching for this fd now
	internal bool          // the reactor's own (the waker): hidden from Readers
	// round is the wait after which the slot last gained a descriptor.
	// Events from that same wait predate the registration (the fd may
	// even have been closed and reused in between), so dispatch skips them;
	// level triggering reports the fd again on the next wait if it is ready.
	// A 32-bit count wraps after some four billion waits; a slot whose
	// round comes up again then skips one wait's events, which level
	// triggering reports again at the next.
	round uint32
}

// validate returns d's fd, or why the reactor cannot watch it.
func (r *Reactor) validate(d FileDescriptor) (int, error) {
	if d == nil {
		return -1, fmt.Errorf("%w: nil descriptor", ErrBadDescriptor)
	}
	// Checked once here so that every later == on descriptors in the
	// table is safe (== on two values of an uncomparable type panics).
	if !reflect.TypeOf(d).Comparable() {
		return -1, fmt.Errorf("%w: %T is not comparable (register a pointer)", ErrBadDescriptor, d)
	}
	fd := d.Fd()
	if fd < 0 {
		return -1, fmt.Errorf("%w: %s has fd %d", ErrBadDescriptor, d.LogPrefix(), fd)
	}
	if err := r.backend.Check(fd); err != nil {
		return -1, err
	}
	return fd, nil
}

// canWatch reports whether the backend can watch fd (select cannot watch
// one at or above its limit): an error wrapping ErrUnwatchable if not.
func (r *Reactor) canWatch(fd int) error { return r.backend.Check(fd) }

// slot returns the table entry for fd, growing the table if needed.
func (r *Reactor) slot(fd int) *fdSlot { return r.slots.grow(fd) }

// setInterest tells the backend what to watch for fd, only if that changed:
// adding a reader to a connection that is already reading costs nothing.
func (r *Reactor) setInterest(fd int, want poll.Interest) error {
	s := r.slots.at(fd)
	if s.interest == want {
		return nil
	}
	err := r.backend.Update(fd, s.interest, want)
	if err != nil && want&^s.interest != 0 {
		return err // a failed addition leaves things as they were
	}
	// A failed removal is still a removal: the fd is forgotten either way.
	s.interest = want
	return nil
}

// register is the one registration primitive: it makes rd the reader and
// wd the writer of fd (nil: none), telling the backend in at most one
// call, and keeps the counts and the slot's round. AddReader, AddWriter,
// the Remove functions and every transport go through it; the transports,
// whose descriptors are the reactor's own types, skip AddReader's checks
// but not the backend's.
func (r *Reactor) register(fd int, rd ReadDescriptor, wd WriteDescriptor) error {
	r.slots.grow(fd)
	var want poll.Interest
	if rd != nil {
		want |= poll.Read
	}
	if wd != nil {
		want |= poll.Write
	}
	if err := r.setInterest(fd, want); err != nil {
		return err
	}
	s := r.slots.at(fd)
	added := false
	if (rd != nil) != (s.reader != nil) {
		if rd != nil {
			r.nreaders++
			added = true
		} else {
			r.nreaders--
		}
	} else if rd != nil && FileDescriptor(rd) != FileDescriptor(s.reader) {
		added = true
	}
	if (wd != nil) != (s.writer != nil) {
		if wd != nil {
			r.nwriters++
			added = true
		} else {
			r.nwriters--
		}
	} else if wd != nil && FileDescriptor(wd) != FileDescriptor(s.writer) {
		added = true
	}
	s.reader, s.writer = rd, wd
	if added {
		s.round = r.round
	}
	return nil
}

// AddReader starts watching d's fd for reading; DoRead will be called each
// time it is readable (level-triggered: as long as unread data remains).
// Adding a reader that is already registered does nothing. It fails if the
// fd is negative, one the backend cannot watch (ErrUnwatchable: select's
// limit), or refused by the kernel (epoll refuses regular files, for
// example).
func (r *Reactor) AddReader(d ReadDescriptor) error {
	r.checkLoop("AddReader")
	fd, err := r.validate(d)
	if err != nil {
		return err
	}
	s := r.slot(fd)
	if s.internal {
		return fmt.Errorf("%w: fd %d belongs to the reactor", ErrBadDescriptor, fd)
	}
	if s.reader == d {
		return nil
	}
	return r.register(fd, d, s.writer)
}

// AddWriter starts watching d's fd for writing; DoWrite will be called each
// time it is writable, until RemoveWriter. Remove writers as soon as they
// have nothing to write: an idle socket is nearly always writable.
func (r *Reactor) AddWriter(d WriteDescriptor) error {
	r.checkLoop("AddWriter")
	fd, err := r.validate(d)
	if err != nil {
		return err
	}
	s := r.slot(fd)
	if s.internal {
		return fmt.Errorf("%w: fd %d belongs to the reactor", ErrBadDescriptor, fd)
	}
	if s.writer == d {
		return nil
	}
	return r.register(fd, s.reader, d)
}

// addInternalReader registers one of the reactor's own descriptors.
func (r *Reactor) addInternalReader(d ReadDescriptor) error {
	fd, err := r.validate(d)
	if err != nil {
		return err
	}
	if err := r.register(fd, d, nil); err != nil {
		return err
	}
	r.nreaders-- // not counted among the user's readers
	r.slots.at(fd).internal = true
	return nil
}

// slotOf finds where d is registered, or -1. By contract d.Fd() is the
// registered fd; a descriptor that already closed its fd (Fd() < 0) is
// looked for by identity, the slow way.
func (r *Reactor) slotOf(d FileDescriptor, reading bool) int {
	if d == nil {
		return -1
	}
	match := func(s *fdSlot) bool {
		if s.internal {
			return false
		}
		if reading {
			return s.reader != nil && FileDescriptor(s.reader) == d
		}
		return s.writer != nil && FileDescriptor(s.writer) == d
	}
	if fd := d.Fd(); fd >= 0 {
		if s := r.slots.lookup(fd); s != nil && match(s) {
			return fd
		}
		return -1
	}
	for fd := range r.slots.size() {
		if match(r.slots.at(fd)) {
			return fd
		}
	}
	return -1
}

// RemoveReader stops watching d for reading. Removing a descriptor that is
// not registered does nothing. A descriptor removed during a wake-up is not
// dispatched for the rest of it, even if it was ready.
func (r *Reactor) RemoveReader(d ReadDescriptor) {
	r.checkLoop("RemoveReader")
	if fd := r.slotOf(d, true); fd >= 0 {
		r.dropReader(fd)
	}
}

// RemoveWriter stops watching d for writing; see RemoveReader.
func (r *Reactor) RemoveWriter(d WriteDescriptor) {
	r.checkLoop("RemoveWriter")
	if fd := r.slotOf(d, false); fd >= 0 {
		r.dropWriter(fd)
	}
}

// dropReader and dropWriter remove one side of fd. A removal the backend
// fails to make is a removal all the same (setInterest forgets the fd).
func (r *Reactor) dropReader(fd int) {
	r.register(fd, nil, r.slots.at(fd).writer)
}

func (r *Reactor) dropWriter(fd int) {
	r.register(fd, r.slots.at(fd).reader, nil)
}

// Readers returns the registered read descriptors, in fd order.
func (r *Reactor) Readers() []ReadDescriptor {
	out := make([]ReadDescriptor, 0, r.nreaders)
	for i := range r.slots.size() {
		if s := r.slots.at(i); s.reader != nil && !s.internal {
			out = append(out, s.reader)
		}
	}
	return out
}

// Writers returns the registered write descriptors, in fd order.
func (r *Reactor) Writers() []WriteDescriptor {
	out := make([]WriteDescriptor, 0, r.nwriters)
	for i := range r.slots.size() {
		if s := r.slots.at(i); s.writer != nil && !s.internal {
			out = append(out, s.writer)
		}
	}
	return out
}

// RemoveAll removes every reader and writer and returns them, each object
// once (a descriptor that was both reader and writer appears once).
// The reactor's own descriptors stay.
func (r *Reactor) RemoveAll() []FileDescriptor {
	var out []FileDescriptor
	for fd := range r.slots.size() {
		s := r.slots.at(fd)
		if s.internal {
			continue
		}
		rd, wr := s.reader, s.writer
		if rd != nil {
			out = append(out, rd)
			r.dropReader(fd)
		}
		if wr != nil {
			if rd == nil || FileDescriptor(wr) != FileDescriptor(rd) {
				out = append(out, wr)
			}
			r.dropWriter(fd)
		}
	}
	return out
}
