//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poll

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Default is the backend the reactor uses unless told otherwise.
const Default = "kqueue"

func init() {
	backends["kqueue"] = newKqueueBackend
}

// kqueueBackend waits with kqueue(2) on macOS and the BSDs. Read and write
// Interest are separate filters there, so one fd may come back as two
// events in the same wait. Filters are added without EV_CLEAR: level
// triggered, like every gyre Backend.
type kqueueBackend struct {
	kq      int
	changes [2]unix.Kevent_t
	events  []unix.Kevent_t
	out     []Event
	ts      unix.Timespec
}

const kqueueEvents = 256

func newKqueueBackend(Config) (Backend, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	return &kqueueBackend{
		kq:     kq,
		events: make([]unix.Kevent_t, kqueueEvents),
		out:    make([]Event, 0, kqueueEvents),
	}, nil
}

func (b *kqueueBackend) Name() string { return "kqueue" }

func (b *kqueueBackend) Check(int) error { return nil }

func (b *kqueueBackend) Update(fd int, old, new Interest) error {
	n := 0
	adding := false
	if changed := (old ^ new) & Read; changed != 0 {
		flags := unix.EV_DELETE
		if new&Read != 0 {
			flags = unix.EV_ADD
			adding = true
		}
		unix.SetKevent(&b.changes[n], fd, unix.EVFILT_READ, flags)
		n++
	}
	if changed := (old ^ new) & Write; changed != 0 {
		flags := unix.EV_DELETE
		if new&Write != 0 {
			flags = unix.EV_ADD
			adding = true
		}
		unix.SetKevent(&b.changes[n], fd, unix.EVFILT_WRITE, flags)
		n++
	}
	if n == 0 {
		return nil
	}
	_, err := unix.Kevent(b.kq, b.changes[:n], nil, nil)
	// Deleting a filter of an fd that was already closed fails harmlessly:
	// closing removed it.
	if err != nil && (adding || (err != unix.EBADF && err != unix.ENOENT)) {
		return os.NewSyscallError("kevent", err)
	}
	return nil
}

func (b *kqueueBackend) Wait(timeout time.Duration) ([]Event, error) {
	var ts *unix.Timespec
	if timeout >= 0 {
		b.ts = unix.NsecToTimespec(int64(timeout))
		ts = &b.ts
	}
	n, err := unix.Kevent(b.kq, nil, b.events, ts)
	if err == unix.EINTR {
		return b.out[:0], nil
	}
	if err != nil {
		return nil, os.NewSyscallError("kevent", err)
	}
	// EV_EOF needs no translation: the read filter reports it as Readable,
	// so DoRead meets the end of file itself; the write filter as Writable,
	// so DoWrite meets EPIPE.
	out := b.out[:n]
	for i := range out {
		e := &b.events[i]
		var what Readiness
		switch {
		case e.Flags&unix.EV_ERROR != 0:
			what = Invalid
		case e.Filter == unix.EVFILT_READ:
			what = Readable
		case e.Filter == unix.EVFILT_WRITE:
			what = Writable
		}
		out[i] = Event{Fd: int32(e.Ident), What: what}
	}
	return out, nil
}

func (b *kqueueBackend) Close() error { return unix.Close(b.kq) }
