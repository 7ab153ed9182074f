package poll

import (
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// FDSetSize is FD_SETSIZE: how many descriptors an fd_set holds, computed
// from the type so it is right on every operating system. Only select and
// the tests that push a descriptor past it need to know.
const FDSetSize = int(unsafe.Sizeof(unix.FdSet{})) * 8

func init() {
	backends["select"] = func(Config) (Backend, error) { return &selectBackend{maxFd: -1}, nil }
}

// selectBackend waits with select(2), the portable original. Its fd_set is
// a fixed-size bitmap, so it refuses descriptors >= FD_SETSIZE (passing one
// to select corrupts memory in C; here it would at best index out of range).
// Cost grows with the highest fd, not with the number of ready ones.
type selectBackend struct {
	reads, writes unix.FdSet // what is registered
	rset, wset    unix.FdSet // copies handed to select, which overwrites them
	maxFd         int
	count         int // registered descriptors
	tv            unix.Timeval
	out           []Event
}

func (b *selectBackend) Name() string { return "select" }

func (b *selectBackend) Check(fd int) error {
	if fd >= FDSetSize {
		return fmt.Errorf("%w: fd %d, FD_SETSIZE is %d (use the poll or %s backend)",
			ErrUnwatchable, fd, FDSetSize, Default)
	}
	return nil
}

func (b *selectBackend) Update(fd int, old, new Interest) error {
	if err := b.Check(fd); err != nil {
		return err
	}
	if new&Read != 0 {
		b.reads.Set(fd)
	} else {
		b.reads.Clear(fd)
	}
	if new&Write != 0 {
		b.writes.Set(fd)
	} else {
		b.writes.Clear(fd)
	}
	switch {
	case old == 0 && new != 0:
		b.count++
		b.maxFd = max(b.maxFd, fd)
	case old != 0 && new == 0:
		b.count--
		if fd == b.maxFd {
			for b.maxFd >= 0 && !b.reads.IsSet(b.maxFd) && !b.writes.IsSet(b.maxFd) {
				b.maxFd--
			}
		}
	}
	return nil
}

func (b *selectBackend) Wait(timeout time.Duration) ([]Event, error) {
	b.rset, b.wset = b.reads, b.writes
	var tv *unix.Timeval
	if timeout >= 0 {
		b.tv = unix.NsecToTimeval(int64(timeout))
		tv = &b.tv
	}
	n, err := unix.Select(b.maxFd+1, &b.rset, &b.wset, nil, tv)
	switch {
	case err == unix.EINTR:
		return b.out[:0], nil
	case err == unix.EBADF:
		// A registered fd was closed without being removed. Find it rather
		// than fail the same way on every iteration.
		return b.badDescriptors(), nil
	case err != nil:
		return nil, os.NewSyscallError("select", err)
	}
	out := b.out[:0]
	for fd := 0; fd <= b.maxFd && n > 0; fd++ {
		var what Readiness
		if b.rset.IsSet(fd) {
			what |= Readable
			n--
		}
		if b.wset.IsSet(fd) {
			what |= Writable
			n--
		}
		if what != 0 {
			out = append(out, Event{Fd: int32(fd), What: what})
		}
	}
	b.out = out
	return out, nil
}

func (b *selectBackend) badDescriptors() []Event {
	out := b.out[:0]
	for fd := 0; fd <= b.maxFd; fd++ {
		if !b.reads.IsSet(fd) && !b.writes.IsSet(fd) {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == unix.EBADF {
			out = append(out, Event{Fd: int32(fd), What: Invalid})
		}
	}
	b.out = out
	return out
}

func (b *selectBackend) Close() error { return nil }
