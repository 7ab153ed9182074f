package reactor

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"gyre/reactor/internal/poll"
)

// highFd duplicates a pipe's read end onto an fd >= FD_SETSIZE, raising
// the soft RLIMIT_NOFILE if needed, or skips the test if that is impossible.
func highFd(t *testing.T) (high, wfd int) {
	t.Helper()
	want := uint64(poll.FDSetSize + 10)
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if uint64(lim.Cur) < want+1 {
		if uint64(lim.Max) < want+1 {
			t.Skipf("RLIMIT_NOFILE hard limit %d is below %d", lim.Max, want+1)
		}
		old := lim
		setLimit(&lim.Cur, want+1)
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Skipf("cannot raise RLIMIT_NOFILE: %v", err)
		}
		t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
	}
	rfd, wfd := pipe(t)
	high = int(want)
	if err := unix.Dup2(rfd, high); err != nil {
		t.Skipf("dup2 to %d: %v", high, err)
	}
	t.Cleanup(func() { unix.Close(high) })
	return high, wfd
}

// setLimit sets an Rlimit field, uint64 on Linux and int64 on the BSDs.
func setLimit[T int64 | uint64](field *T, v uint64) { *field = T(v) }

func TestSelectRefusesFdAboveSetSize(t *testing.T) {
	high, _ := highFd(t)
	r, _ := newReactor(t, "select")
	err := r.AddReader(&desc{fd: high})
	if !errors.Is(err, ErrUnwatchable) || !strings.Contains(err.Error(), "FD_SETSIZE") {
		t.Errorf("AddReader(fd %d) on select = %v, want ErrUnwatchable naming FD_SETSIZE", high, err)
	}
	if err := r.AddWriter(&desc{fd: high}); !errors.Is(err, ErrUnwatchable) {
		t.Errorf("AddWriter(fd %d) on select = %v, want ErrUnwatchable", high, err)
	}
	if len(r.Readers())+len(r.Writers()) != 0 {
		t.Error("refused descriptor was registered")
	}
}

// The other backends have no such limit.
func TestHighFdOnOtherBackends(t *testing.T) {
	high, wfd := highFd(t)
	for _, backend := range Backends() {
		if backend == "select" {
			continue
		}
		t.Run(backend, func(t *testing.T) {
			r, _ := newReactor(t, backend)
			d := &desc{fd: high}
			d.read = func() error { drain(high); r.Stop(); return nil }
			if err := r.AddReader(d); err != nil {
				t.Fatal(err)
			}
			write(t, wfd, "x")
			run(t, r)
			if d.reads != 1 {
				t.Errorf("%d reads", d.reads)
			}
		})
	}
}
