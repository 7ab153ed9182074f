package crash

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// helperEnv, set in the environment of the test binary, makes it the
// program under test (see TestMain): it says how the helper behaves.
const helperEnv = "CRASH_INTERRUPT_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		waitForInterrupt(mode)
	}
	os.Exit(m.Run())
}

// waitForInterrupt is the helper program: it takes SIGINT with OnInterrupt
// (and gives it back at once in mode "stopped"), says "waiting" on stdout,
// and waits, on the main goroutine as the tutorial's programs do. In mode
// "slow-stderr" the wait for stderr is made long enough that only a second
// Ctrl-C can cut it short.
func waitForInterrupt(mode string) {
	if mode == "slow-stderr" {
		writeTimeout = time.Minute
	}
	stop := OnInterrupt()
	if mode == "stopped" {
		stop()
	}
	os.Stdout.WriteString("waiting\n")
	time.Sleep(time.Minute)
	os.Exit(3)
}

// startHelper runs the test binary as the helper in mode, with o's
// Stderr, if set, for its stderr, and returns once the helper waits. If
// shell is set, it runs under sh with SIGINT ignored, as a background job
// of a script is.
func startHelper(t *testing.T, mode string, o progtest.Options, shell bool) *progtest.Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	o.Env = []string{helperEnv + "=" + mode}
	var p *progtest.Proc
	if shell {
		p = progtest.StartWith(t, o, "/bin/sh", "-c", `trap '' INT; exec "$0"`, exe)
	} else {
		p = progtest.StartWith(t, o, exe)
	}
	p.WaitLine(regexp.MustCompile(`^waiting$`), 10*time.Second)
	return p
}

// send sends sig to the helper and waits at most d for it to end (the
// test fails if it does not).
func send(t *testing.T, p *progtest.Proc, sig syscall.Signal, d time.Duration) progtest.Result {
	t.Helper()
	syscall.Kill(p.Pid(), sig)
	return p.Wait(d)
}

// stillRunning sends sig to the helper and reports whether it is still
// running d later.
func stillRunning(p *progtest.Proc, sig syscall.Signal, d time.Duration) bool {
	syscall.Kill(p.Pid(), sig)
	time.Sleep(d)
	return p.Running()
}

// TestOnInterrupt: at Ctrl-C the program prints the main goroutine's stack,
// where it waits (time.Sleep, called by the helper, called by TestMain),
// not the stack of the goroutine that took the signal, then
// "KeyboardInterrupt", and dies by SIGINT.
func TestOnInterrupt(t *testing.T) {
	res := send(t, startHelper(t, "report", progtest.Options{}, false), syscall.SIGINT, 10*time.Second)
	out := res.Stderr
	if res.Signal != syscall.SIGINT {
		t.Errorf("ended by %v (exit %d), want death by SIGINT\nstderr:\n%s", res.Signal, res.Code, out)
	}
	// The helper is asleep or, on a busy machine, still returning from
	// its write of "waiting": either way the stack is goroutine 1's.
	if !strings.HasPrefix(out, "goroutine 1 [") || !strings.HasSuffix(out, "\nKeyboardInterrupt\n") {
		t.Fatalf("stderr is not the main goroutine's stack, then KeyboardInterrupt:\n%s", out)
	}
	for _, want := range []string{"\ngyre/examples/internal/crash.waitForInterrupt(", "\ngyre/examples/internal/crash.TestMain(", "\nmain.main()\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the stack does not show %q:\n%s", want[1:], out)
		}
	}
	if strings.Contains(out, "crash.interrupted(") || strings.Count(out, "goroutine ") != 1 {
		t.Errorf("the stack shows more than the main goroutine:\n%s", out)
	}
}

// TestOnInterruptStalledStderr: a stderr that takes nothing (a full pipe
// nobody reads) delays the end by the second OnInterrupt waits for it, and
// no more: the program still dies by SIGINT.
func TestOnInterruptStalledStderr(t *testing.T) {
	p := startHelper(t, "report", progtest.Options{Stderr: progtest.StalledPipe(t)}, false)
	start := time.Now()
	res := send(t, p, syscall.SIGINT, 10*time.Second)
	if took := time.Since(start); took > 3*time.Second || res.Signal != syscall.SIGINT {
		t.Errorf("ended by %v (exit %d) %v after Ctrl-C, want death by SIGINT within about a second",
			res.Signal, res.Code, took.Round(time.Millisecond))
	}
}

// TestSecondInterrupt: a second Ctrl-C while the report waits for stderr
// ends the program at once (here the wait would last a minute).
func TestSecondInterrupt(t *testing.T) {
	p := startHelper(t, "slow-stderr", progtest.Options{Stderr: progtest.StalledPipe(t)}, false)
	if !stillRunning(p, syscall.SIGINT, 500*time.Millisecond) {
		t.Fatal("ended before the second Ctrl-C, while stderr was stalled")
	}
	if res := send(t, p, syscall.SIGINT, 10*time.Second); res.Signal != syscall.SIGINT {
		t.Errorf("a second Ctrl-C did not end the program by SIGINT (exit %d, signal %v)", res.Code, res.Signal)
	}
}

// TestInterruptAfterStop: once stop has given SIGINT back, Ctrl-C kills
// the program silently, Go's default.
func TestInterruptAfterStop(t *testing.T) {
	res := send(t, startHelper(t, "stopped", progtest.Options{}, false), syscall.SIGINT, 10*time.Second)
	if res.Signal != syscall.SIGINT || res.Stderr != "" {
		t.Errorf("after stop: ended by %v (exit %d), stderr %q; want silent death by SIGINT", res.Signal, res.Code, res.Stderr)
	}
}

// TestInterruptIgnored: a program started with SIGINT ignored keeps it
// ignored, as Python does; os/signal's Notify alone would take it back.
func TestInterruptIgnored(t *testing.T) {
	p := startHelper(t, "report", progtest.Options{}, true)
	if !stillRunning(p, syscall.SIGINT, 500*time.Millisecond) {
		t.Fatalf("SIGINT, ignored when the program started, ended it\nstderr:\n%s", p.Stderr())
	}
	if res := send(t, p, syscall.SIGTERM, 10*time.Second); res.Signal != syscall.SIGTERM || res.Stderr != "" {
		t.Errorf("SIGTERM: ended by %v (exit %d), stderr %q; want silent death by SIGTERM", res.Signal, res.Code, res.Stderr)
	}
}

// TestSIGTERMStaysSilent: OnInterrupt leaves SIGTERM alone: it kills the
// program without a word, as it kills the originals.
func TestSIGTERMStaysSilent(t *testing.T) {
	res := send(t, startHelper(t, "report", progtest.Options{}, false), syscall.SIGTERM, 10*time.Second)
	if res.Signal != syscall.SIGTERM || res.Stderr != "" {
		t.Errorf("SIGTERM: ended by %v (exit %d), stderr %q; want silent death by SIGTERM", res.Signal, res.Code, res.Stderr)
	}
}
