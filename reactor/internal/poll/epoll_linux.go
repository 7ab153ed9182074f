package poll

import (
	"errors"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Default is the backend the reactor uses unless told otherwise.
const Default = "epoll"

func init() {
	backends["epoll"] = newEpollBackend
}

// epollBackend waits with epoll(7), level-triggered: the kernel keeps the
// Interest list, so a wait costs in proportion to the ready descriptors, not
// the registered ones.
//
// A busy loop does not block in epoll_wait itself. The epoll descriptor is
// also handed to the Go runtime's own poller (an epoll descriptor is itself
// pollable: Readable when events are ready), and the loop goroutine parks
// there, the way a goroutine blocked on a net.Conn does; the events are
// then collected with a non-blocking epoll_wait. Blocking in a system call
// instead holds the goroutine's processor in a syscall state: the
// runtime's monitor thread takes it back after 20 µs and hands it to a
// newly woken thread, and keeps waking every 20 µs while that goes on. For
// a server woken once per connection that costs more than the connection
// itself (one-connection round trips took 190 µs instead of 120 on the
// project's benchmark machine). That happens only when no processor is
// spare (as many running loops as GOMAXPROCS, as for a server pinned to
// its cores; the program says so, Config.Crowded, since a backend cannot
// see the other loops): with one spare, the monitor thread leaves a blocked
// thread its processor, and blocking in epoll_pwait2 is cheaper (one system call
// instead of three, and no trip through the scheduler). A loop that was
// idle for a while (its last wait lasted more than busyWindow) blocks too:
// when nothing happens the monitor thread goes to sleep by itself.
type epollBackend struct {
	epfd   int
	events []unix.EpollEvent
	out    []Event

	// file is epfd as an *os.File, registered with the runtime's poller
	// (rc) unless that failed, in which case rc is nil and the loop
	// blocks in epoll_pwait2 itself.
	file     *os.File
	rc       syscall.RawConn
	ready    func(uintptr) bool // b.collect, made once
	n        int                // what the last collect found
	err      error
	deadline bool          // a read deadline is set on file
	lastWait time.Duration // how long the previous blocking wait lasted

	// noPwait2 is set once the kernel has said it lacks epoll_pwait2
	// (before Linux 5.11); the blocking fallback then uses epoll_wait.
	noPwait2 bool
	ts       kernelTimespec

	// crowded is Config.Crowded: no processor is spare, so a busy loop
	// avoids blocking system calls.
	crowded bool
}

const (
	epollInitialEvents = 128
	epollMaxEvents     = 1 << 16
)

// busyWindow separates a busy loop from an idle one: one whose last wait
// lasted less parks in the runtime's poller, one whose last wait lasted
// longer blocks in the kernel (see epollBackend).
const busyWindow = 10 * time.Millisecond

func newEpollBackend(cfg Config) (Backend, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	b := &epollBackend{
		epfd:    fd,
		events:  make([]unix.EpollEvent, epollInitialEvents),
		out:     make([]Event, 0, epollInitialEvents),
		crowded: cfg.Crowded,
	}
	b.ready = b.collect
	b.lastWait = busyWindow // a new loop counts as idle
	b.usePoller()
	return b, nil
}

// usePoller registers epfd with the runtime's poller: os.NewFile does so
// for a non-blocking descriptor, and a deadline can be set only if it did.
// The File owns epfd from then on (close closes it through the File).
func (b *epollBackend) usePoller() {
	unix.SetNonblock(b.epfd, true)
	b.file = os.NewFile(uintptr(b.epfd), "epoll")
	if rc, err := b.file.SyscallConn(); err == nil && b.file.SetReadDeadline(time.Time{}) == nil {
		b.rc = rc
	}
}

func (b *epollBackend) Name() string { return "epoll" }

func (b *epollBackend) Check(int) error { return nil }

func (b *epollBackend) Update(fd int, old, new Interest) error {
	ev := unix.EpollEvent{Fd: int32(fd)}
	if new&Read != 0 {
		ev.Events |= unix.EPOLLIN
	}
	if new&Write != 0 {
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

func (b *epollBackend) Wait(timeout time.Duration) ([]Event, error) {
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
		var what Readiness
		if e.Events&(unix.EPOLLIN|unix.EPOLLPRI) != 0 {
			what |= Readable
		}
		if e.Events&unix.EPOLLOUT != 0 {
			what |= Writable
		}
		if e.Events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			what |= Hangup
		}
		out[i] = Event{Fd: e.Fd, What: what}
	}
	// A full buffer suggests more were ready: grow for the next wait (the
	// rest are not lost; level-triggered epoll reports them again).
	if n == len(b.events) && n < epollMaxEvents {
		b.events = make([]unix.EpollEvent, 2*n)
		b.out = make([]Event, 0, 2*n)
		out = append(b.out, out...)
	}
	return out, nil
}

// epollWait fills b.events. A zero timeout is a non-blocking look; any
// other parks the goroutine in the runtime's poller until epfd is Readable
// or the deadline passes, then collects the events without blocking.
func (b *epollBackend) epollWait(timeout time.Duration) (int, error) {
	if timeout == 0 {
		return b.poll()
	}
	start := time.Now()
	defer func() { b.lastWait = time.Since(start) }()
	if b.rc == nil || b.lastWait >= busyWindow || !b.crowded {
		return b.blockingWait(timeout)
	}
	// A busy loop first waits a little in the kernel on epfd itself,
	// without telling the scheduler (a raw system call keeps the
	// processor, so the monitor thread has nothing to hand off). Most
	// wake-ups of a busy server come within that time, and each saves the
	// trip through the runtime's poller: a second epoll set woken in
	// cascade, a park and a reschedule. Other goroutines wait at most
	// twice rawWaitCap for the processor (this wait, and the end of a
	// timer's, below), and a preemption signal (GC, the monitor)
	// interrupts the wait at once.
	short := rawWaitCap
	if timeout > 0 && timeout < short {
		short = timeout
	}
	// Before Linux 5.11 rawWait is only a look, so a wait shorter than
	// rawWaitCap is not over when it returns: the loop parks for it below
	// (up to a millisecond late, as a blocking epoll_wait would be) rather
	// than come back at once and spin until the timer is due.
	if n, err := b.rawWait(short); n > 0 || err != nil || (short == timeout && !b.noPwait2) {
		return n, err
	}
	if timeout < 0 {
		return b.park(time.Time{})
	}
	// The runtime's poller sleeps in whole milliseconds: it rounds a
	// deadline's wait down, then waits a whole millisecond for what is
	// left, so a deadline passes up to a millisecond late (a slow poetry
	// server's ticks were: 0.5-1.1 ms, several times a second). A timer
	// must not be: the loop parks until rawWaitCap before it is due, and
	// waits the rest in the kernel, whose timeout is in nanoseconds.
	// (Before Linux 5.11 the kernel's wait is only a look: the loop parks
	// the whole way, as it would spin otherwise.)
	due, until := start.Add(timeout), start.Add(timeout-rawWaitCap)
	if b.noPwait2 {
		until = due
	}
	if time.Until(until) > 0 {
		if n, err := b.park(until); n > 0 || err != nil {
			return n, err
		}
	}
	if rest := time.Until(due); rest > 0 {
		return b.rawWait(rest)
	}
	return 0, nil
}

// park parks the goroutine in the runtime's poller until epfd is Readable
// or the deadline passes (none if zero), then collects the events.
func (b *epollBackend) park(deadline time.Time) (int, error) {
	switch {
	case !deadline.IsZero():
		b.file.SetReadDeadline(deadline)
		b.deadline = true
	case b.deadline:
		b.file.SetReadDeadline(time.Time{})
		b.deadline = false
	}
	b.n, b.err = 0, nil
	err := b.rc.Read(b.ready) // calls b.collect until it finds events
	if b.err != nil {
		return 0, b.err
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return 0, err
	}
	return b.n, nil
}

// collect is the RawConn.Read callback: it reports done when events (or an
// error) were found, else the runtime parks the goroutine until epfd is
// Readable and calls it again.
func (b *epollBackend) collect(uintptr) bool {
	b.n, b.err = b.poll()
	return b.n > 0 || b.err != nil
}

// poll collects ready events without blocking. It is a raw system call:
// it cannot block, so the scheduler need not hear of it.
func (b *epollBackend) poll() (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(b.epfd),
		uintptr(unsafe.Pointer(&b.events[0])), uintptr(len(b.events)), 0, 0, 0)
	switch e {
	case 0:
		return int(n), nil
	case unix.EINTR:
		return 0, nil
	}
	return 0, e
}

// kernelTimespec is the kernel's struct __kernel_timespec, which
// epoll_pwait2 reads: 64-bit seconds and nanoseconds on every
// architecture. unix.Timespec is the C library's struct timespec, whose
// fields are 32 bits wide on 32-bit platforms: handed to epoll_pwait2 there,
// a 1 ms wait read as 1,000,000 << 32 seconds, and timers never woke the
// loop.
type kernelTimespec struct {
	sec  int64
	nsec int64
}

func kernelTimespecOf(d time.Duration) kernelTimespec {
	return kernelTimespec{sec: int64(d / time.Second), nsec: int64(d % time.Second)}
}

// rawWaitCap bounds a busy loop's wait in the kernel before it parks in
// the runtime's poller (see epollWait).
const rawWaitCap = time.Millisecond

// rawWait waits up to d for events with epoll_pwait2 as a raw system call
// (EINTR, from a preemption signal, counts as no events). Before Linux
// 5.11 it only polls.
func (b *epollBackend) rawWait(d time.Duration) (int, error) {
	if b.noPwait2 {
		return b.poll()
	}
	b.ts = kernelTimespecOf(d)
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT2, uintptr(b.epfd),
		uintptr(unsafe.Pointer(&b.events[0])), uintptr(len(b.events)), uintptr(unsafe.Pointer(&b.ts)), 0, 0)
	switch e {
	case 0:
		return int(n), nil
	case unix.EINTR:
		return 0, nil
	case unix.ENOSYS:
		b.noPwait2 = true
		return b.poll()
	}
	return 0, e
}

// blockingWait waits in the kernel, the fallback when the runtime's poller
// would not take epfd. It uses epoll_pwait2, whose timeout is a timespec:
// a timer due in 300 µs is waited for 300 µs, where epoll_wait's
// milliseconds would make it 1 ms (rounding down would spin instead). x/sys
// does not wrap the call, so it is made directly; without a signal mask it
// is epoll_wait with a finer timeout.
func (b *epollBackend) blockingWait(timeout time.Duration) (int, error) {
	if b.noPwait2 {
		return unix.EpollWait(b.epfd, b.events, WaitMillis(timeout))
	}
	var ts unsafe.Pointer // nil: wait forever
	if timeout > 0 {
		b.ts = kernelTimespecOf(timeout)
		ts = unsafe.Pointer(&b.ts)
	}
	n, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(b.epfd),
		uintptr(unsafe.Pointer(&b.events[0])), uintptr(len(b.events)), uintptr(ts), 0, 0)
	switch errno {
	case 0:
		return int(n), nil
	case unix.ENOSYS:
		b.noPwait2 = true
		return unix.EpollWait(b.epfd, b.events, WaitMillis(timeout))
	}
	return 0, errno
}

func (b *epollBackend) Close() error { return b.file.Close() }
