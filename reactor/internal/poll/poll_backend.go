package poll

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	backends["poll"] = func(Config) (Backend, error) { return &pollBackend{}, nil }
}

// pollBackend waits with poll(2): no FD_SETSIZE limit, but the kernel scans
// the whole array on every call, so the cost grows with the number of
// registered descriptors.
type pollBackend struct {
	fds   []unix.PollFd
	where []int32 // fd -> index in fds + 1; 0 when fd is not registered
	out   []Event
}

func (b *pollBackend) Name() string { return "poll" }

func (b *pollBackend) Check(int) error { return nil }

// setEvents sets what poll watches on one entry. (Events is int16 on most
// systems, uint16 on some: untyped constants suit both.)
func setEvents(p *unix.PollFd, in Interest) {
	p.Events = 0
	if in&Read != 0 {
		p.Events |= unix.POLLIN
	}
	if in&Write != 0 {
		p.Events |= unix.POLLOUT
	}
}

func (b *pollBackend) Update(fd int, old, new Interest) error {
	if fd >= len(b.where) {
		b.where = append(b.where, make([]int32, fd+1-len(b.where))...)
	}
	switch {
	case old == 0:
		b.fds = append(b.fds, unix.PollFd{Fd: int32(fd)})
		setEvents(&b.fds[len(b.fds)-1], new)
		b.where[fd] = int32(len(b.fds))
	case new == 0:
		i := b.where[fd] - 1
		last := int32(len(b.fds) - 1)
		if i != last {
			b.fds[i] = b.fds[last]
			b.where[b.fds[i].Fd] = i + 1
		}
		b.fds = b.fds[:last]
		b.where[fd] = 0
	default:
		setEvents(&b.fds[b.where[fd]-1], new)
	}
	return nil
}

func (b *pollBackend) Wait(timeout time.Duration) ([]Event, error) {
	n, err := b.poll(timeout)
	if err == unix.EINTR {
		return b.out[:0], nil
	}
	if err != nil {
		return nil, os.NewSyscallError("poll", err)
	}
	out := b.out[:0]
	for i := 0; i < len(b.fds) && n > 0; i++ {
		re := b.fds[i].Revents
		if re == 0 {
			continue
		}
		n--
		var what Readiness
		if re&(unix.POLLIN|unix.POLLPRI) != 0 {
			what |= Readable
		}
		if re&unix.POLLOUT != 0 {
			what |= Writable
		}
		if re&(unix.POLLHUP|unix.POLLERR) != 0 {
			what |= Hangup
		}
		if re&unix.POLLNVAL != 0 {
			what = Invalid
		}
		out = append(out, Event{Fd: b.fds[i].Fd, What: what})
	}
	b.out = out
	return out, nil
}

func (b *pollBackend) Close() error { return nil }
