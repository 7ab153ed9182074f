package crash

import (
	"bufio"
	"os"
	"os/exec"
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

// helper is a running helper program.
type helper struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once it has exited
}

// startHelper runs the test binary as the helper in mode, with stderr
// going to stderr, and returns once the helper waits. If shell is set, it
// runs under sh with SIGINT ignored, as a background job of a script is.
func startHelper(t *testing.T, mode string, stderr *os.File, shell bool) *helper {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	if shell {
		cmd = exec.Command("/bin/sh", "-c", `trap '' INT; exec "$0"`, exe)
	}
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(h.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-h.done
	})
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "waiting\n" {
		t.Fatalf("the helper did not start waiting: %q, %v", line, err)
	}
	return h
}

// wait waits at most d for the helper to exit, and reports whether it did.
func (h *helper) wait(d time.Duration) bool {
	select {
	case <-h.done:
		return true
	case <-time.After(d):
		return false
	}
}

// signal is the signal that ended the helper, 0 if none did.
func (h *helper) signal() syscall.Signal {
	if ws, ok := h.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return 0
}

// capture is a file for the helper's stderr, and a way to read it back.
func capture(t *testing.T) (*os.File, func() string) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, func() string {
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
}

// TestOnInterrupt: at Ctrl-C the program prints the main goroutine's stack,
// where it waits (time.Sleep, called by the helper, called by TestMain),
// not the stack of the goroutine that took the signal, then
// "KeyboardInterrupt", and dies by SIGINT.
func TestOnInterrupt(t *testing.T) {
	stderr, read := capture(t)
	h := startHelper(t, "report", stderr, false)
	h.cmd.Process.Signal(syscall.SIGINT)
	if !h.wait(10 * time.Second) {
		t.Fatal("still running 10 s after Ctrl-C")
	}
	out := read()
	if h.signal() != syscall.SIGINT {
		t.Errorf("ended by %v (%v), want death by SIGINT\nstderr:\n%s", h.signal(), h.cmd.ProcessState, out)
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
	h := startHelper(t, "report", progtest.StalledPipe(t), false)
	start := time.Now()
	h.cmd.Process.Signal(syscall.SIGINT)
	if !h.wait(10 * time.Second) {
		t.Fatal("a stalled stderr kept Ctrl-C from ending the program")
	}
	if took := time.Since(start); took > 3*time.Second || h.signal() != syscall.SIGINT {
		t.Errorf("ended by %v (%v) %v after Ctrl-C, want death by SIGINT within about a second",
			h.signal(), h.cmd.ProcessState, took.Round(time.Millisecond))
	}
}

// TestSecondInterrupt: a second Ctrl-C while the report waits for stderr
// ends the program at once (here the wait would last a minute).
func TestSecondInterrupt(t *testing.T) {
	h := startHelper(t, "slow-stderr", progtest.StalledPipe(t), false)
	h.cmd.Process.Signal(syscall.SIGINT)
	if h.wait(500 * time.Millisecond) {
		t.Fatalf("ended (%v) before the second Ctrl-C, while stderr was stalled", h.cmd.ProcessState)
	}
	h.cmd.Process.Signal(syscall.SIGINT)
	if !h.wait(10*time.Second) || h.signal() != syscall.SIGINT {
		t.Errorf("a second Ctrl-C did not end the program by SIGINT (%v)", h.cmd.ProcessState)
	}
}

// TestInterruptAfterStop: once stop has given SIGINT back, Ctrl-C kills
// the program silently, Go's default.
func TestInterruptAfterStop(t *testing.T) {
	stderr, read := capture(t)
	h := startHelper(t, "stopped", stderr, false)
	h.cmd.Process.Signal(syscall.SIGINT)
	if !h.wait(10*time.Second) || h.signal() != syscall.SIGINT || read() != "" {
		t.Errorf("after stop: ended by %v (%v), stderr %q; want silent death by SIGINT", h.signal(), h.cmd.ProcessState, read())
	}
}

// TestInterruptIgnored: a program started with SIGINT ignored keeps it
// ignored, as Python does; os/signal's Notify alone would take it back.
func TestInterruptIgnored(t *testing.T) {
	stderr, read := capture(t)
	h := startHelper(t, "report", stderr, true)
	h.cmd.Process.Signal(syscall.SIGINT)
	if h.wait(500 * time.Millisecond) {
		t.Fatalf("SIGINT, ignored when the program started, ended it (%v)\nstderr:\n%s", h.cmd.ProcessState, read())
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	if !h.wait(10*time.Second) || h.signal() != syscall.SIGTERM || read() != "" {
		t.Errorf("SIGTERM: ended by %v (%v), stderr %q; want silent death by SIGTERM", h.signal(), h.cmd.ProcessState, read())
	}
}

// TestSIGTERMStaysSilent: OnInterrupt leaves SIGTERM alone: it kills the
// program without a word, as it kills the originals.
func TestSIGTERMStaysSilent(t *testing.T) {
	stderr, read := capture(t)
	h := startHelper(t, "report", stderr, false)
	h.cmd.Process.Signal(syscall.SIGTERM)
	if !h.wait(10*time.Second) || h.signal() != syscall.SIGTERM || read() != "" {
		t.Errorf("SIGTERM: ended by %v (%v), stderr %q; want silent death by SIGTERM", h.signal(), h.cmd.ProcessState, read())
	}
}
