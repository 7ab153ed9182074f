package progtest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Result is what a finished program did.
type Result struct {
	Stdout  string
	Stderr  string
	Code    int            // exit status; -1 if killed by a signal
	Signal  syscall.Signal // the signal that ended it, if any
	Elapsed time.Duration
}

// env is the environment every program runs with: the test's own, without
// COLUMNS, so that optparse-style help is wrapped at 80 columns as in the
// reference transcripts.
func env(extra []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COLUMNS=") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// Options adjust how Run and Start launch a program. The zero value runs it
// in the test's working directory with an empty stdin.
type Options struct {
	Dir   string   // working directory; "" = the test's
	Env   []string // extra KEY=VALUE entries
	Stdin string   // what the program reads on stdin
	// StdinOpen leaves the program's stdin open after Stdin (a pipe the
	// test holds until it ends), where otherwise the program reads the
	// end of its input: a program waiting for a user's next line.
	StdinOpen bool
	// Stderr, if not nil, is where the program's stderr goes instead of
	// the Result's and Proc's Stderr (which then stay empty): a stalled
	// pipe (StalledPipe), say.
	Stderr *os.File
}

// Run runs exe with args and waits for it to exit, at most timeout: a
// program still running then is killed and the test fails (a hang is a bug,
// never a pass).
func Run(t testing.TB, timeout time.Duration, exe string, args ...string) Result {
	t.Helper()
	return RunWith(t, Options{}, timeout, exe, args...)
}

// RunWith is Run with Options.
func RunWith(t testing.TB, o Options, timeout time.Duration, exe string, args ...string) Result {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Dir = o.Dir
	cmd.Env = env(o.Env)
	cmd.Stdin = strings.NewReader(o.Stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if o.Stderr != nil {
		cmd.Stderr = o.Stderr
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s %q did not finish within %v\nstdout:\n%s\nstderr:\n%s",
			exe, args, timeout, stdout.String(), stderr.String())
	}
	res := Result{Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(start)}
	res.Code, res.Signal = exitStatus(t, err, cmd)
	return res
}

func exitStatus(t testing.TB, err error, cmd *exec.Cmd) (int, syscall.Signal) {
	t.Helper()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("wait: %v", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return cmd.ProcessState.ExitCode(), 0
}

// Proc is a program running in the background, typically a server.
type Proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	start  time.Time
	lines  chan string // stdout lines not yet consumed by WaitLine
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan struct{} // closed when the process has exited and output is drained
}

// Start launches exe with args in the background. Its stdout is read line by
// line as it is written (see WaitLine); the process is stopped, if still
// running, when the test ends.
func Start(t testing.TB, exe string, args ...string) *Proc {
	t.Helper()
	return StartWith(t, Options{}, exe, args...)
}

// StartWith is Start with Options.
func StartWith(t testing.TB, o Options, exe string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Dir = o.Dir
	cmd.Env = env(o.Env)
	cmd.Stdin = strings.NewReader(o.Stdin)
	if o.StdinOpen {
		cmd.Stdin = openStdin(t, o.Stdin)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &Proc{
		t: t, cmd: cmd,
		lines:  make(chan string, 1<<16),
		stdout: &lockedBuffer{},
		stderr: &lockedBuffer{},
		done:   make(chan struct{}),
	}
	cmd.Stderr = p.stderr
	if o.Stderr != nil {
		cmd.Stderr = o.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	p.start = time.Now()
	go func() {
		sc := bufio.NewScanner(outPipe)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.stdout.WriteString(line + "\n")
			select {
			case p.lines <- line:
			default: // nobody is waiting for lines; the buffer keeps them
			}
		}
		io.Copy(io.Discard, outPipe)
		cmd.Wait() // the status is read from cmd.ProcessState
		close(p.lines)
		close(p.done)
	}()
	t.Cleanup(func() { p.Stop() })
	return p
}

// Pid is the process id, for tests that signal the program themselves.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// WaitLine reads the program's stdout, line by line, until a line matches
// re, and returns the submatches of that line (index 0 is the whole line).
// Lines read on the way are consumed; the next call starts after the match.
// It fails the test if the program exits or timeout passes first. (Up to
// 65536 unconsumed lines are queued for WaitLine; Stdout always has all.)
func (p *Proc) WaitLine(re *regexp.Regexp, timeout time.Duration) []string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("program exited before printing a line matching %q\nstdout:\n%s\nstderr:\n%s",
					re, p.stdout.String(), p.stderr.String())
			}
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-deadline:
			p.t.Fatalf("no line matching %q within %v\nstdout:\n%s\nstderr:\n%s",
				re, timeout, p.stdout.String(), p.stderr.String())
		}
	}
}

// Running reports whether the program is still running (it has not
// exited, or its output is not yet drained).
func (p *Proc) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Stdout returns everything the program has printed on stdout so far.
func (p *Proc) Stdout() string { return p.stdout.String() }

// Stderr returns everything the program has printed on stderr so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Wait waits for the program to exit by itself, at most timeout (then it is
// killed and the test fails).
func (p *Proc) Wait(timeout time.Duration) Result {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("program did not exit within %v\nstdout:\n%s\nstderr:\n%s",
			timeout, p.stdout.String(), p.stderr.String())
	}
	return p.result()
}

// Stop ends the program with SIGTERM (SIGKILL if it is still there after
// five seconds) and returns what it did. Stopping a program that has already
// exited just returns its result.
func (p *Proc) Stop() Result {
	return p.Signal(syscall.SIGTERM)
}

// Signal sends sig to the program, waits for it to exit (SIGKILL after five
// seconds) and returns what it did.
func (p *Proc) Signal(sig syscall.Signal) Result {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	return p.result()
}

func (p *Proc) result() Result {
	res := Result{Stdout: p.stdout.String(), Stderr: p.stderr.String(), Elapsed: time.Since(p.start)}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Code, res.Signal = -1, ws.Signal()
	} else {
		res.Code = p.cmd.ProcessState.ExitCode()
	}
	return res
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// openStdin returns the read end of a pipe that holds text and stays open
// until the test ends, for Options.StdinOpen.
func openStdin(t testing.TB, text string) *os.File {
	t.Helper()
	r, w := pipe(t)
	// Written now, before the program runs: more than a pipe holds
	// would block here, and no test needs that much.
	if _, err := w.WriteString(text); err != nil {
		t.Fatal(err)
	}
	return r
}
