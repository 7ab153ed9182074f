// Tests for the programs of the tutorial's part 3 (basic-twisted), and its
// two exercises: each is built once and run for real, and its output
// compared with the reference transcripts of the original Python programs.
package basictwisted_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

const pkg = "./examples/basic-twisted/"

// referenceStdout returns the stdout block of the first run in the
// program's transcript (skipping the test if ../shared is not there).
func referenceStdout(t *testing.T, program string) string {
	t.Helper()
	sections := progtest.LoadTranscript(t, "basic-twisted__"+program+".txt")
	return progtest.FindSection(t, sections, "Run 1:").Stdout()
}

// waitingIn waits until one of pid's threads is blocked in one of the
// given system calls, read from /proc/PID/task/*/syscall: for programs that
// print nothing, it is how a test knows the reactor is running (and so that
// its signal handling is installed). It skips the test where /proc cannot
// tell.
func waitingIn(t *testing.T, pid int, syscalls ...int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
		if err != nil || len(tasks) == 0 {
			t.Skip("no /proc/PID/task/*/syscall here")
		}
		for _, f := range tasks {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			nr, err := strconv.Atoi(strings.Fields(string(data) + " x")[0])
			if err != nil {
				continue
			}
			for _, want := range syscalls {
				if nr == want {
					return
				}
			}
		}
		time.Sleep(5 * time.Millisecond) // polling /proc, not synchronising on time
	}
	t.Fatalf("process %d never waited in system calls %v", pid, syscalls)
}

// simple and simple-poll print nothing and run until a signal, which stops
// them cleanly: exit status 0, nothing on stdout or stderr.
func TestSimpleStopsCleanlyOnSignals(t *testing.T) {
	t.Parallel()
	for _, program := range []string{"simple", "simple-poll"} {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			t.Run(program+"/"+sig.String(), func(t *testing.T) {
				t.Parallel()
				exe := progtest.Build(t, pkg+program)
				p := progtest.Start(t, exe)
				waitingIn(t, p.Pid(), backendWaitSyscalls(program)...)
				res := p.Signal(sig)
				if res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
					t.Errorf("after %v: exit %d (signal %v), stdout %q, stderr %q; want a quiet exit 0",
						sig, res.Code, res.Signal, res.Stdout, res.Stderr)
				}
				if want := referenceStdout(t, program); res.Stdout != want {
					t.Errorf("stdout %q, reference %q", res.Stdout, want)
				}
			})
		}
	}
}

func TestHello(t *testing.T) {
	t.Parallel()
	p := progtest.Start(t, progtest.Build(t, pkg+"hello"))
	p.WaitLine(regexp.MustCompile(`^Lately I feel like I'm stuck in a rut\.$`), 10*time.Second)
	res := p.Signal(syscall.SIGTERM)
	if res.Code != 0 || res.Stderr != "" {
		t.Errorf("exit %d, stderr %q; want 0 and nothing", res.Code, res.Stderr)
	}
	want := "Starting the reactor.\nHello from the reactor loop!\nLately I feel like I'm stuck in a rut.\n"
	if res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
	if ref := referenceStdout(t, "hello"); res.Stdout != ref {
		t.Errorf("stdout differs from the reference:\n%s", ref)
	}
}

// stack's stack shows the callback above the reactor's Run, above main.
func TestStack(t *testing.T) {
	t.Parallel()
	p := progtest.Start(t, progtest.Build(t, pkg+"stack"))
	p.WaitLine(regexp.MustCompile(`^The python stack:$`), 10*time.Second)
	res := p.Signal(syscall.SIGINT)
	if res.Code != 0 {
		t.Errorf("exit %d after SIGINT, want 0", res.Code)
	}
	callback := strings.Index(res.Stderr, "main.stack()")
	run := strings.Index(res.Stderr, "gyre/reactor.(*Reactor).Run(")
	main := strings.Index(res.Stderr, "main.main()")
	if callback < 0 || run < callback || main < run {
		t.Errorf("stack does not show callback, then Run, then main:\n%s", res.Stderr)
	}
	// Last: without ../shared the test stops (skips) here.
	if ref := referenceStdout(t, "stack"); res.Stdout != ref {
		t.Errorf("stdout %q, reference %q", res.Stdout, ref)
	}
}

// countdown and countdown-looping print the reference's lines, one second
// apart.
func TestCountdown(t *testing.T) {
	t.Parallel()
	for _, program := range []string{"countdown", "countdown-looping"} {
		t.Run(program, func(t *testing.T) {
			t.Parallel()
			p := progtest.Start(t, progtest.Build(t, pkg+program))
			lines := []string{"Start!", "5 ...", "4 ...", "3 ...", "2 ...", "1 ...", "Stop!"}
			var at []time.Time
			for _, line := range lines {
				p.WaitLine(regexp.MustCompile("^"+regexp.QuoteMeta(line)+"$"), 10*time.Second)
				at = append(at, time.Now())
			}
			res := p.Wait(10 * time.Second)
			if res.Code != 0 || res.Stderr != "" {
				t.Errorf("exit %d, stderr %q", res.Code, res.Stderr)
			}
			if want := strings.Join(lines, "\n") + "\n"; res.Stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
			}
			// "5 ..." at once, then each line about one second after the
			// previous one: the k-th line after "5 ..." no earlier than k
			// seconds after it. The slack is generous because the times
			// are read here, in a test that may share a loaded machine.
			if gap := at[1].Sub(at[0]); gap > time.Second {
				t.Errorf("5 ... came %v after Start!", gap)
			}
			for i := 2; i < len(at); i++ {
				want := time.Duration(i-1) * time.Second
				if got := at[i].Sub(at[1]); got < want-300*time.Millisecond || got > want+3*time.Second {
					t.Errorf("%q came %v after \"5 ...\", want about %v", lines[i], got, want)
				}
			}
			// Last: without ../shared the test stops (skips) here.
			if ref := referenceStdout(t, "countdown"); res.Stdout != ref {
				t.Errorf("stdout differs from the reference:\n%s", ref)
			}
		})
	}
}

func TestCountdownMany(t *testing.T) {
	t.Parallel()
	res := progtest.Run(t, 20*time.Second, progtest.Build(t, pkg+"countdown-many"))
	if res.Code != 0 || res.Stderr != "" {
		t.Errorf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if len(lines) != 17 || lines[0] != "Start!" || lines[16] != "Stop!" {
		t.Fatalf("stdout:\n%s\nwant Start!, 15 counts and Stop!", res.Stdout)
	}
	// Each counter counts 5 to 1 in order, interleaved with the others.
	next := map[string]int{"slow": 5, "medium": 5, "fast": 5}
	for _, line := range lines[1:16] {
		var name string
		var n int
		if _, err := fmt.Sscanf(line, "%s %d ...", &name, &n); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		name = strings.TrimSuffix(name, ":")
		if next[name] != n {
			t.Fatalf("line %q: %s should say %d", line, name, next[name])
		}
		next[name]--
	}
	// The fast one finishes first although all start together.
	if !strings.HasPrefix(lines[len(lines)-2], "slow: 1") || res.Elapsed > 10*time.Second {
		t.Errorf("the slow counter should end the run, in about 5 s (took %v):\n%s", res.Elapsed, res.Stdout)
	}
}

// exception: the first callback's panic is logged on stderr as Twisted
// logs it, and the second callback still runs and stops the reactor.
func TestException(t *testing.T) {
	t.Parallel()
	res := progtest.Run(t, 10*time.Second, progtest.Build(t, pkg+"exception"))
	if res.Code != 0 {
		t.Errorf("exit %d, want 0", res.Code)
	}
	if want := "Starting the reactor.\nBut I get up again.\n"; res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
	errLines := strings.Split(res.Stderr, "\n")
	n := len(errLines)
	if n < 6 || errLines[0] != "Unhandled Error" || errLines[1] != "Traceback (most recent call last):" ||
		errLines[n-3] != "*errors.errorString: I fall down." || errLines[n-2] != "" || errLines[n-1] != "" {
		t.Errorf("stderr is not Twisted's report (message, traceback, error line, empty line):\n%s", res.Stderr)
	}
	// As in Twisted's report, the marker stands where the reactor caught
	// the exception: main and the reactor's loop above it, the trigger
	// call and falldown below.
	marker := strings.Index(res.Stderr, "--- <exception caught here> ---")
	run := strings.Index(res.Stderr, "gyre/reactor.(*Reactor).Run\n")
	falldown := strings.Index(res.Stderr, "main.falldown\n")
	if marker < 0 || run < 0 || falldown < 0 || !(run < marker && marker < falldown) {
		t.Errorf("stderr does not have Run above the marker and falldown below it:\n%s", res.Stderr)
	}
	// Last, as without ../shared the test stops (skips) at the reference:
	// its stdout, and its message lines (the first, and the error's).
	if ref := referenceStdout(t, "exception"); res.Stdout != ref {
		t.Errorf("stdout differs from the reference:\n%s", ref)
	}
	ref := progtest.FindSection(t, progtest.LoadTranscript(t, "basic-twisted__exception.txt"), "Run 1:").Stderr()
	refLines := strings.Split(ref, "\n")
	if refLines[0] != errLines[0] || !strings.HasSuffix(refLines[len(refLines)-3], ": I fall down.") {
		t.Errorf("message lines differ from the reference:\n%s", ref)
	}
}
