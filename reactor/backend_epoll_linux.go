package reactor

import (
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const defaultBackend = "epoll"

func init() {
	backends["epoll"] = newEpollBackend
}

// epollBackend waits with epoll(7), level-triggered: the kernel keeps the
// interest list, so a wait costs in proportion to the ready descriptors, not
// the registered ones.
type epollBackend struct {
	epfd   int
	events []unix.EpollEvent
	out    []event
	// noPwait2 is set once the kernel has said it lacks epoll_pwait2
	// (before Linux 5.11); the backend then uses epoll_wait.
	noPwait2 bool
	ts       unix.Timespec
}

const (
	epollInitialEvents = 128
	epollMaxEvents     = 1 << 16
)

func newEpollBackend() (backend, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &epollBackend{
		epfd:   fd,
		events: make([]unix.EpollEvent, epollInitialEvents),
		out:    make([]event, 0, epollInitialEvents),
	}, nil
}

func (b *epollBackend) name() string { return "epoll" }

func (b *epollBackend) check(int) error { return nil }

func (b *epollBackend) update(fd int, old, new interest) error {
	ev := unix.EpollEvent{Fd: int32(fd)}
	if new&wantRead != 0 {
		ev.Events |= unix.EPOLLIN
	}
	if new&wantWrite != 0 {
		ev.Events |= unix.EPOLLOUT
	}
	switch {
	case new == 0:
		// The kernel drops a closed fd by itself; EBADF or ENOENT here just
		// means that already happened.
		if err := unix.EpollCtl(b.epfd, unix.EPOLL_CTL_DEL, fd, &ev); err != nil &&
			err != unix.EBADF && err != unix.ENOENT {
			return os.NewSyscallError("epoll_ctl", err)
		}
		return nil
	case old == 0:
		err := unix.EpollCtl(b.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
		if err == unix.EEXIST { // still there from an fd closed while registered
			err = unix.EpollCtl(b.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
		}
		if err != nil {
			return os.NewSyscallError("epoll_ctl", err)
		}
		return nil
	default:
		err := unix.EpollCtl(b.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
		if err == unix.ENOENT { // the old fd was closed and this is a new one
			err = unix.EpollCtl(b.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
		}
		if err != nil {
			return os.NewSyscallError("epoll_ctl", err)
		}
		return nil
	}
}

func (b *epollBackend) wait(timeout time.Duration) ([]event, error) {
	n, err := b.epollWait(timeout)
	if err == unix.EINTR {
		return b.out[:0], nil
	}
	if err != nil {
		return nil, os.NewSyscallError("epoll_wait", err)
	}
	out := b.out[:n]
	for i := range out {
		e := &b.events[i]
		var what readiness
		if e.Events&(unix.EPOLLIN|unix.EPOLLPRI) != 0 {
			what |= readable
		}
		if e.Events&unix.EPOLLOUT != 0 {
			what |= writable
		}
		if e.Events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			what |= hangup
		}
		out[i] = event{fd: e.Fd, what: what}
	}
	// A full buffer suggests more were ready: grow for the next wait (the
	// rest are not lost; level-triggered epoll reports them again).
	if n == len(b.events) && n < epollMaxEvents {
		b.events = make([]unix.EpollEvent, 2*n)
		b.out = make([]event, 0, 2*n)
		out = append(b.out, out...)
	}
	return out, nil
}

// epollWait waits with epoll_pwait2, whose timeout is a timespec: a timer
// due in 300 µs is waited for 300 µs, where epoll_wait's milliseconds would
// make it 1 ms (rounding down would spin instead). x/sys does not wrap the
// call, so it is made directly; without a signal mask it is epoll_wait with
// a finer timeout.
func (b *epollBackend) epollWait(timeout time.Duration) (int, error) {
	if b.noPwait2 || timeout == 0 {
		return unix.EpollWait(b.epfd, b.events, waitMillis(timeout))
	}
	var ts unsafe.Pointer // nil: wait forever
	if timeout > 0 {
		b.ts = unix.NsecToTimespec(int64(timeout))
		ts = unsafe.Pointer(&b.ts)
	}
	n, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(b.epfd),
		uintptr(unsafe.Pointer(&b.events[0])), uintptr(len(b.events)), uintptr(ts), 0, 0)
	switch errno {
	case 0:
		return int(n), nil
	case unix.ENOSYS:
		b.noPwait2 = true
		return unix.EpollWait(b.epfd, b.events, waitMillis(timeout))
	}
	return 0, errno
}

func (b *epollBackend) close() error { return unix.Close(b.epfd) }
