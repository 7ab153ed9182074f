package reactor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReaderGetsDataThenEOF(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, wfd := pipe(t)
		var got strings.Builder
		d := &desc{fd: rfd, name: "pipe"}
		d.read = func() error {
			s, err := drain(rfd)
			got.WriteString(s)
			if s == "hello" {
				unix.Close(wfd) // the next wake-up is the hang-up
			}
			return err
		}
		d.onLost = func(error) { r.Stop() }
		if err := r.AddReader(d); err != nil {
			t.Fatal(err)
		}
		write(t, wfd, "hello")
		run(t, r)
		if got.String() != "hello" {
			t.Errorf("read %q, want hello", got.String())
		}
		if len(d.lost) != 1 || d.lost[0] != ErrConnectionDone {
			t.Errorf("ConnectionLost reasons %v, want exactly [ErrConnectionDone] (io.EOF becomes it)", d.lost)
		}
		if n := len(r.Readers()); n != 0 {
			t.Errorf("%d readers left, want the failed one removed", n)
		}
	})
}

func TestErrorFromDoReadDisconnects(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, wfd := pipe(t)
		boom := errors.New("boom")
		d := &desc{fd: rfd, name: "pipe", read: func() error { return boom }}
		d.onLost = func(error) { r.Stop() }
		r.AddReader(d)
		r.AddWriter(d) // removed with it
		write(t, wfd, "x")
		run(t, r)
		if d.reads != 1 || len(d.lost) != 1 || d.lost[0] != boom {
			t.Errorf("reads %d, lost %v; want one read and ConnectionLost(boom)", d.reads, d.lost)
		}
		if len(r.Readers())+len(r.Writers()) != 0 {
			t.Error("descriptor still registered after failing")
		}
	})
}

func TestWriterAndRemoveWriter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, wfd := pipe(t)
		w := &desc{fd: wfd, name: "writer"}
		w.write = func() error {
			_, err := unix.Write(wfd, []byte("ping"))
			r.RemoveWriter(w) // nothing more to write
			return err
		}
		rd := &desc{fd: rfd, name: "reader"}
		var got string
		rd.read = func() error {
			s, err := drain(rfd)
			got += s
			r.Stop()
			return err
		}
		r.AddWriter(w)
		r.AddReader(rd)
		if ws := r.Writers(); len(ws) != 1 || ws[0] != WriteDescriptor(w) {
			t.Fatalf("Writers() = %v", ws)
		}
		run(t, r)
		if got != "ping" || w.writes != 1 {
			t.Errorf("read %q after %d DoWrite calls, want ping after 1", got, w.writes)
		}
	})
}

func TestDoWritePanicDisconnects(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, logs := newReactor(t, backend)
		_, wfd := pipe(t)
		w := &desc{fd: wfd, name: "bad-writer", write: func() error { panic("write exploded") }}
		w.onLost = func(error) { r.Stop() }
		r.AddWriter(w)
		run(t, r)
		if len(w.lost) != 1 || !strings.Contains(w.lost[0].Error(), "write exploded") {
			t.Errorf("ConnectionLost reasons %v, want the panic", w.lost)
		}
		if out := logs.String(); !strings.Contains(out, "Unhandled Error system=bad-writer") {
			t.Errorf("log lacks the descriptor's prefix:\n%s", out)
		}
	})
}

// Removing a descriptor that is ready in the same wake-up must stop it from
// being dispatched: each of two ready readers removes the other, so exactly
// one of them may run. Stop is called from inside, and Run only returns
// after the whole wake-up has been dispatched.
func TestRemoveOtherReadyDescriptor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd1, wfd1 := pipe(t)
		rfd2, wfd2 := pipe(t)
		a := &desc{fd: rfd1, name: "a"}
		b := &desc{fd: rfd2, name: "b"}
		a.read = func() error { r.RemoveReader(b); r.Stop(); return nil }
		b.read = func() error { r.RemoveReader(a); r.Stop(); return nil }
		r.AddReader(a)
		r.AddReader(b)
		write(t, wfd1, "x")
		write(t, wfd2, "y")
		// Make sure both are ready before the first wait.
		run(t, r)
		if a.reads+b.reads != 1 {
			t.Errorf("DoRead calls: a %d, b %d; a removed descriptor was dispatched", a.reads, b.reads)
		}
	})
}

// A descriptor added during a wake-up on an fd that was reported ready in
// it (closed and reused, here simulated by swapping the descriptor) does not
// receive that stale event.
func TestReplacedDescriptorSkipsStaleEvent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd1, wfd1 := pipe(t)
		rfd2, wfd2 := pipe(t)
		newcomer := &desc{fd: rfd2, name: "newcomer"}
		a := &desc{fd: rfd1, name: "a"}
		b := &desc{fd: rfd2, name: "b"}
		swap := func() error {
			if newcomer.reads == 0 && b.reads == 0 && a.reads+b.reads == 1 {
				r.RemoveReader(b)
				r.AddReader(newcomer)
			}
			r.Stop()
			return nil
		}
		a.read = swap
		b.read = func() error { r.RemoveReader(a); r.Stop(); return nil }
		r.AddReader(a)
		r.AddReader(b)
		write(t, wfd1, "x")
		write(t, wfd2, "y")
		run(t, r)
		if newcomer.reads != 0 {
			t.Errorf("descriptor added during the wake-up got %d reads from it", newcomer.reads)
		}
	})
}

func TestAddRemoveFromCallbacks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd1, wfd1 := pipe(t)
		rfd2, wfd2 := pipe(t)
		second := &desc{fd: rfd2, name: "second"}
		second.read = func() error {
			drain(rfd2)
			r.Stop()
			return nil
		}
		first := &desc{fd: rfd1, name: "first"}
		first.read = func() error {
			drain(rfd1)
			r.RemoveReader(first)
			if err := r.AddReader(second); err != nil {
				t.Error(err)
			}
			write(t, wfd2, "go")
			return nil
		}
		r.AddReader(first)
		write(t, wfd1, "go")
		run(t, r)
		if first.reads != 1 || second.reads != 1 {
			t.Errorf("reads: first %d, second %d; want 1 and 1", first.reads, second.reads)
		}
		_ = wfd1
	})
}

func TestReadersWritersRemoveAll(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, wfd := pipe(t)
		rd := &desc{fd: rfd, name: "r"}
		both := &desc{fd: wfd, name: "both"}
		r.AddReader(rd)
		r.AddReader(rd) // twice is once
		r.AddReader(both)
		r.AddWriter(both)
		if n, m := len(r.Readers()), len(r.Writers()); n != 2 || m != 1 {
			t.Fatalf("Readers %d, Writers %d; want 2 and 1 (the waker is hidden)", n, m)
		}
		r.RemoveReader(&desc{fd: rfd}) // another object on the same fd: not removed
		if len(r.Readers()) != 2 {
			t.Fatal("RemoveReader removed a different descriptor")
		}
		all := r.RemoveAll()
		if len(all) != 2 {
			t.Errorf("RemoveAll returned %v, want each descriptor once", all)
		}
		if len(r.Readers())+len(r.Writers()) != 0 {
			t.Error("RemoveAll left descriptors")
		}
		r.RemoveReader(rd) // not registered: nothing happens
		r.RemoveWriter(both)
	})
}

func TestRemoveAfterFdClosed(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	rfd, _ := pipe(t)
	d := &desc{fd: rfd, name: "closing"}
	r.AddReader(d)
	d.fd = -1 // the descriptor closed its fd first; found by identity
	r.RemoveReader(d)
	if len(r.Readers()) != 0 {
		t.Error("descriptor with Fd() == -1 was not removed")
	}
}

type valueDesc struct{ fds []int } // a slice field: not comparable

func (v valueDesc) Fd() int              { return v.fds[0] }
func (v valueDesc) LogPrefix() string    { return "value" }
func (v valueDesc) ConnectionLost(error) {}
func (v valueDesc) DoRead() error        { return nil }

func TestAddReaderRefusesBadDescriptors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, _ := pipe(t)
		for name, d := range map[string]ReadDescriptor{
			"negative fd":    &desc{fd: -1},
			"not comparable": valueDesc{fds: []int{rfd}},
			"nil":            nil,
		} {
			if err := r.AddReader(d); !errors.Is(err, ErrBadDescriptor) {
				t.Errorf("%s: AddReader = %v, want ErrBadDescriptor", name, err)
			}
		}
		if err := r.AddReader(&desc{fd: r.waker.Fd()}); !errors.Is(err, ErrBadDescriptor) {
			t.Errorf("AddReader on the waker's fd = %v, want ErrBadDescriptor", err)
		}
	})
}

func TestEpollRefusesRegularFile(t *testing.T) {
	if DefaultBackend() != "epoll" {
		t.Skip("epoll only")
	}
	r, _ := newReactor(t, "epoll")
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := r.AddReader(&desc{fd: int(f.Fd())}); !errors.Is(err, unix.EPERM) {
		t.Errorf("AddReader(regular file) = %v, want EPERM", err)
	}
	if len(r.Readers()) != 0 {
		t.Error("refused descriptor was registered")
	}
}

// With select and poll, an fd closed while still registered is reported
// (EBADF, POLLNVAL) and the reactor drops it with ErrBadDescriptor. epoll
// silently forgets closed fds, so it is not part of this test.
func TestClosedWhileRegistered(t *testing.T) {
	for _, backend := range []string{"select", "poll"} {
		t.Run(backend, func(t *testing.T) {
			r, _ := newReactor(t, backend)
			rfd, _ := pipe(t)
			d := &desc{fd: rfd, name: "closed"}
			d.onLost = func(error) { r.Stop() }
			r.AddReader(d)
			unix.Close(rfd)
			run(t, r)
			if len(d.lost) != 1 || !errors.Is(d.lost[0], ErrBadDescriptor) {
				t.Errorf("ConnectionLost reasons %v, want ErrBadDescriptor", d.lost)
			}
		})
	}
}

type halfDesc struct{ desc }

func (h *halfDesc) ReadConnectionLost(reason error) { h.halfEnd = append(h.halfEnd, reason) }

func TestHalfCloseable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fds[0])
		defer unix.Close(fds[1])
		unix.SetNonblock(fds[0], true)
		h := &halfDesc{desc{fd: fds[0], name: "half"}}
		h.write = func() error {
			// Still writable after the read side ended: the half-close
			// left this descriptor registered as a writer.
			if len(h.halfEnd) > 0 {
				r.Stop()
			}
			return nil
		}
		r.AddReader(h)
		r.CallWhenRunning(func() {
			unix.Shutdown(fds[1], unix.SHUT_WR) // the peer finishes sending
		})
		h.read = func() error {
			_, err := drain(fds[0])
			if err != nil {
				r.AddWriter(h)
			}
			return err
		}
		run(t, r)
		if len(h.halfEnd) != 1 || h.halfEnd[0] != ErrConnectionDone {
			t.Errorf("ReadConnectionLost reasons %v, want [ErrConnectionDone]", h.halfEnd)
		}
		// The writer was still registered at shutdown, so it hears of that.
		if len(h.lost) != 1 || h.lost[0] != ErrConnectionLost {
			t.Errorf("ConnectionLost reasons %v, want only the shutdown's", h.lost)
		}
	})
}

func TestReadBuffer(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithReadBufferSize(1000))
	b := r.ReadBuffer()
	if len(b) != 1000 || &r.ReadBuffer()[0] != &b[0] {
		t.Errorf("ReadBuffer: len %d, or not the same buffer each time", len(b))
	}
}
