package reactor

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestNewUnknownBackend(t *testing.T) {
	for _, name := range []string{"", "iocp", "Epoll"} {
		r, err := New(WithBackend(name))
		if !errors.Is(err, ErrUnknownBackend) {
			if r != nil {
				r.Close()
			}
			t.Errorf("New(WithBackend(%q)) = %v, want ErrUnknownBackend", name, err)
		}
	}
	if _, err := New(WithReadBufferSize(0)); err == nil {
		t.Error("New(WithReadBufferSize(0)) succeeded")
	}
	for _, n := range []int{0, -1} {
		if r, err := New(WithLoops(n)); err == nil {
			r.Close()
			t.Errorf("New(WithLoops(%d)) succeeded", n)
		} else if !strings.Contains(err.Error(), "WithLoops") {
			t.Errorf("New(WithLoops(%d)): %v, which does not name the option", n, err)
		}
	}
}

func TestBackendsListsDefaultFirst(t *testing.T) {
	names := Backends()
	if len(names) < 3 || names[0] != DefaultBackend() {
		t.Fatalf("Backends() = %v, want the default %q first and at least select and poll", names, DefaultBackend())
	}
	for _, b := range names {
		r, _ := newReactor(t, b)
		if r.Backend() != b {
			t.Errorf("Backend() = %q, want %q", r.Backend(), b)
		}
	}
}

func TestRunStopErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		if err := r.Stop(); !errors.Is(err, ErrNotRunning) {
			t.Errorf("Stop before Run = %v, want ErrNotRunning", err)
		}
		var inner, second error
		var running bool
		r.CallWhenRunning(func() {
			running = r.Running()
			inner = r.Run()
			if err := r.Stop(); err != nil {
				t.Errorf("Stop while running: %v", err)
			}
			second = r.Stop()
		})
		run(t, r)
		if !running {
			t.Error("Running() was false inside a CallWhenRunning function")
		}
		if !errors.Is(inner, ErrAlreadyRunning) {
			t.Errorf("Run inside Run = %v, want ErrAlreadyRunning", inner)
		}
		if !errors.Is(second, ErrNotRunning) {
			t.Errorf("second Stop = %v, want ErrNotRunning", second)
		}
		if err := r.Run(); !errors.Is(err, ErrReactorStopped) {
			t.Errorf("Run after stop = %v, want ErrReactorStopped", err)
		}
		if err := r.Stop(); !errors.Is(err, ErrNotRunning) {
			t.Errorf("Stop after stop = %v, want ErrNotRunning", err)
		}
		select {
		case <-r.Done():
		default:
			t.Error("Done not closed after Run returned")
		}
	})
}

func TestCloseWithoutRun(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := r.Run(); !errors.Is(err, ErrReactorStopped) {
		t.Errorf("Run after Close = %v, want ErrReactorStopped", err)
	}
	if err := r.CallFromGoroutine(func() {}); !errors.Is(err, ErrReactorStopped) {
		t.Errorf("CallFromGoroutine after Close = %v, want ErrReactorStopped", err)
	}
}

func TestCallWhenRunning(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var got []string
		r.CallWhenRunning(func() {
			got = append(got, "first")
			// Already running: runs at once, inside this call.
			r.CallWhenRunning(func() { got = append(got, "nested") })
			got = append(got, "after nested")
		})
		r.CallWhenRunning(func() { got = append(got, "second"); r.Stop() })
		run(t, r)
		want := "first nested after nested second"
		if s := strings.Join(got, " "); s != want {
			t.Errorf("order = %q, want %q", s, want)
		}
	})
}

func TestCallLaterOnReactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var got []int
		// Calls due at the same time run in the order they were made; the
		// zero-delay call is due first (50 ms leaves room for a loaded
		// machine to pause between these lines).
		for i := range 5 {
			r.CallLater(50*time.Millisecond, func() { got = append(got, i) })
		}
		r.CallLater(0, func() { got = append(got, -1) })
		cancelled := r.CallLater(50*time.Millisecond, func() { got = append(got, 99) })
		if err := cancelled.Cancel(); err != nil {
			t.Fatal(err)
		}
		r.CallLater(60*time.Millisecond, func() { r.Stop() })
		run(t, r)
		if s := fmt.Sprint(got); s != "[-1 0 1 2 3 4]" {
			t.Errorf("calls ran in order %v, want [-1 0 1 2 3 4]", s)
		}
		if n := len(r.PendingCalls()); n != 0 {
			t.Errorf("%d calls still pending", n)
		}
	})
}

// TestCallLaterAccuracy checks a 50 ms call on an idle reactor fires close
// to its time: the wait's timeout is computed from the timer heap and
// rounded up, never down (which would spin), and not by much.
func TestCallLaterAccuracy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		const delay = 50 * time.Millisecond
		var late time.Duration
		var dc *DelayedCall
		r.CallWhenRunning(func() {
			dc = r.CallLater(delay, func() {
				late = time.Since(dc.Time())
				r.Stop()
			})
		})
		run(t, r)
		t.Logf("%s: a %v call fired %v after its time", backend, delay, late)
		if late < 0 {
			t.Errorf("fired %v early", -late)
		}
		// The goal is 10 ms on an idle machine (typically well under 1 ms);
		// the bound is generous so a loaded CI machine does not fail it,
		// yet catches a clock that rounds to seconds or a lost timeout.
		if late > 100*time.Millisecond {
			t.Errorf("fired %v late", late)
		}
	})
}

// cpuTime returns the CPU time (user + system) used by the process so far.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestIdleUsesNoCPU runs a reactor with nothing to do for a second: it
// must sleep in the backend's wait, not spin. Another goroutine stops it.
func TestIdleUsesNoCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a second per backend")
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		started := make(chan time.Duration, 1)
		r.CallWhenRunning(func() { started <- cpuTime(t) })
		stop := time.AfterFunc(time.Second, func() { r.Stop() })
		defer stop.Stop()
		run(t, r)
		used := cpuTime(t) - <-started
		t.Logf("%s: idle reactor used %v of CPU in 1 s", backend, used)
		if used > 100*time.Millisecond {
			t.Errorf("idle reactor used %v of CPU in 1 s", used)
		}
	})
}

func TestPanicsAreContained(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, logs := newReactor(t, backend)
		var after []string
		r.CallWhenRunning(func() { panic(errors.New("I fall down.")) })
		r.CallWhenRunning(func() { after = append(after, "when running") })
		r.CallLater(0, func() { panic("timer down") })
		r.CallLater(time.Millisecond, func() { after = append(after, "timer") })
		r.CallFromGoroutine(func() { panic("goroutine call down") })
		r.CallLater(2*time.Millisecond, func() { after = append(after, "stop"); r.Stop() })
		run(t, r)
		if s := strings.Join(after, ","); s != "when running,timer,stop" {
			t.Errorf("callbacks after the panics: %q", s)
		}
		out := logs.String()
		for _, want := range []string{
			"Unhandled Error\nTraceback (most recent call last):\n",
			"--- <exception caught here> ---",
			"gyre/reactor.TestPanicsAreContained",
			"*errors.errorString: I fall down.\n\n",
			"timer down", "goroutine call down",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
		if n := strings.Count(out, "Unhandled Error"); n != 3 {
			t.Errorf("%d errors logged, want 3", n)
		}
		checkCaughtMarkers(t, out, "gyre/reactor.TestPanicsAreContained.func")
	})
}

// checkCaughtMarkers checks every report in log splits its frames where
// the reactor caught the panic, as Twisted's do: the loop's frames (Run)
// above the marker, the panicking function (named by prefix) below it.
func checkCaughtMarkers(t *testing.T, log, panicked string) {
	t.Helper()
	const marker = "--- <exception caught here> ---"
	for i, report := range strings.Split(log, "Unhandled Error")[1:] {
		at := strings.Index(report, marker)
		if at < 0 {
			t.Errorf("report %d has no marker:\n%s", i, report)
			continue
		}
		above, below := report[:at], report[at:]
		if !strings.Contains(above, "gyre/reactor.(*Reactor).Run\n") || strings.Contains(below, "(*Reactor).Run\n") {
			t.Errorf("report %d: the loop's frames are not all above the marker:\n%s", i, report)
		}
		if strings.Contains(above, panicked) || !strings.Contains(below, panicked) {
			t.Errorf("report %d: %s is not below the marker:\n%s", i, panicked, report)
		}
	}
}

func TestSignalStopsReactor(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend(), WithSignalHandling())
			r.CallWhenRunning(func() { syscall.Kill(os.Getpid(), sig) })
			run(t, r)
		})
	}
}

// TestSignalBeforeRun: WithSignalHandling protects the program from New
// on. A signal between New and Run does not kill the process (without the
// handler installed by New, Go's default would end the test binary here);
// it stops the reactor as soon as it runs: after the CallWhenRunning
// functions, without waiting for a timer or I/O.
func TestSignalBeforeRun(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			handled := make(chan struct{})
			hook := Option(func(c *config) { c.signalHook = func() { close(handled) } })
			r, _ := newReactor(t, DefaultBackend(), WithSignalHandling(), hook)
			syscall.Kill(os.Getpid(), sig)
			select {
			case <-handled:
			case <-time.After(testTimeout):
				t.Fatalf("%v not handled within %v", sig, testTimeout)
			}
			started := false
			r.CallWhenRunning(func() { started = true })
			r.CallLater(time.Hour, func() { t.Error("the reactor waited for its timer") })
			run(t, r)
			if !started {
				t.Error("the CallWhenRunning function did not run")
			}
		})
	}
}

// TestSignalHandlingEndsWithClose: a reactor closed without running gives
// the signals back; a later one installs its own and gets them.
func TestSignalHandlingEndsWithClose(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithSignalHandling())
	if r.stopSignals == nil {
		t.Fatal("New with WithSignalHandling installed no handler")
	}
	r.Close()
	if r.stopSignals != nil {
		t.Error("Close left the signal handler installed")
	}
	r2, _ := newReactor(t, DefaultBackend(), WithSignalHandling())
	r2.CallWhenRunning(func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) })
	run(t, r2)
	if r2.stopSignals != nil {
		t.Error("Run returned with the signal handler installed")
	}
}

func TestShutdownDisconnectsDescriptors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, wfd := pipe(t)
		rd := &desc{fd: rfd, name: "reader"}
		wr := &desc{fd: wfd, name: "writer"}
		if err := r.AddReader(rd); err != nil {
			t.Fatal(err)
		}
		if err := r.AddWriter(wr); err != nil {
			t.Fatal(err)
		}
		if err := r.AddReader(wr); err != nil { // both reader and writer: told once
			t.Fatal(err)
		}
		r.CallWhenRunning(func() { r.Stop() })
		run(t, r)
		for _, d := range []*desc{rd, wr} {
			if len(d.lost) != 1 || !errors.Is(d.lost[0], ErrConnectionLost) {
				t.Errorf("%s: ConnectionLost reasons %v, want one ErrConnectionLost", d.name, d.lost)
			}
		}
		if len(r.Readers())+len(r.Writers()) != 0 {
			t.Errorf("descriptors left after shutdown: %v %v", r.Readers(), r.Writers())
		}
	})
}

// GYRE_REACTOR chooses the backend when no WithBackend option does; an
// explicit option wins; an unknown name fails and says where it came from.
func TestBackendFromEnvironment(t *testing.T) {
	t.Setenv(BackendEnv, "poll")
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if r.Backend() != "poll" {
		t.Errorf("GYRE_REACTOR=poll gave %q", r.Backend())
	}
	r, _ = New(WithBackend("select"))
	r.Close()
	if r.Backend() != "select" {
		t.Errorf("WithBackend(select) under GYRE_REACTOR=poll gave %q", r.Backend())
	}
	t.Setenv(BackendEnv, "iocp")
	if _, err := New(); !errors.Is(err, ErrUnknownBackend) || !strings.Contains(err.Error(), BackendEnv) {
		t.Errorf("GYRE_REACTOR=iocp: %v", err)
	}
	t.Setenv(BackendEnv, "")
	r, _ = New()
	r.Close()
	if r.Backend() != DefaultBackend() {
		t.Errorf("empty GYRE_REACTOR gave %q", r.Backend())
	}
}
