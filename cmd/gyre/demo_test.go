package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var demoServerLine = regexp.MustCompile(`(?m)^  (\S+) +\d+ bytes, \d+ bytes every \S+, on (127\.0\.0\.1:\d+)$`)

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "figures")
	code, stdout, stderr := gyre(t, nil, "demo", "--delay", "0.01", "--timeline", dir)
	if code != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"\nblocking: one server after another",
		"\nasync: all servers at once",
		"\nreactor: all servers at once",
		"library  night-bus    orchard      total\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if n := len(demoServerLine.FindAllString(stdout, -1)); n != 3 {
		t.Errorf("%d server lines:\n%s", n, stdout)
	}
	if n := len(regexp.MustCompile(`(?m)^Task \d: got \d+ bytes of poetry from 127\.0\.0\.1:\d+ in \S+$`).FindAllString(stdout, -1)); n != 9 {
		t.Errorf("%d task lines, want 9:\n%s", n, stdout)
	}
	for _, mode := range []string{"blocking", "async", "reactor"} {
		if !regexp.MustCompile(`(?m)^` + mode + `( +\d+\.\d\d s){4}$`).MatchString(stdout) {
			t.Errorf("no table row for %s:\n%s", mode, stdout)
		}
	}
	m := regexp.MustCompile(`async is (\d+\.\d+)x as fast as blocking \(reactor: (\d+\.\d+)x\)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no speed-up line:\n%s", stdout)
	}
	for _, s := range m[1:] {
		if f, _ := strconv.ParseFloat(s, 64); f <= 1 {
			t.Errorf("speed-up %s, want more than 1:\n%s", s, stdout)
		}
	}
	for _, mode := range []string{"blocking", "async", "reactor"} {
		data, err := os.ReadFile(filepath.Join(dir, mode+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(data, new(struct{})); err != nil || bytes.Count(data, []byte(`class="lane"`)) != 3 {
			t.Errorf("%s.svg: %v, %d lanes", mode, err, bytes.Count(data, []byte(`class="lane"`)))
		}
	}
}

// SIGINT in the middle of the demo: everything stops, one line, status
// 130, and the servers' ports are closed. SIGTERM does the same with
// status 143, and SIGHUP with 129, as gyre serve.
func TestDemoInterrupted(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
		line string
	}{
		{syscall.SIGINT, 130, "gyre: interrupted\n"},
		{syscall.SIGTERM, 143, "gyre: terminated\n"},
		{syscall.SIGHUP, 129, "gyre: hung up\n"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) { testDemoInterrupted(t, tc.sig, tc.code, tc.line) })
	}
}

func testDemoInterrupted(t *testing.T, sig os.Signal, wantCode int, wantLine string) {
	cmd := exec.Command(gyreBinary, "demo", "--delay", "0.05")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var stdout strings.Builder
	sc := bufio.NewScanner(out)
	lineSeen := make(chan struct{})
	go func() {
		signalled := false
		for sc.Scan() {
			stdout.WriteString(sc.Text() + "\n")
			if !signalled && strings.HasPrefix(sc.Text(), "blocking:") {
				signalled = true
				close(lineSeen)
			}
		}
	}()
	select {
	case <-lineSeen:
	case <-time.After(10 * time.Second):
		t.Fatal("the demo never started downloading")
	}
	servers := demoServerLine.FindAllStringSubmatch(stdout.String(), -1)
	cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the demo did not stop after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != wantCode || stderr.String() != wantLine {
		t.Errorf("status %d, stderr %q; want %d, %q", code, stderr.String(), wantCode, wantLine)
	}
	if len(servers) != 3 {
		t.Fatalf("server lines: %q", stdout.String())
	}
	for _, s := range servers {
		if !isRefused(s[2]) {
			t.Errorf("%s is still served after the demo", s[2])
		}
	}
}

// The same in-process, in the middle of a poem, with the live board:
// cancelling the demo leaves no goroutine and no listening port behind.
func TestDemoCancelLeavesNothing(t *testing.T) {
	// os/signal starts a goroutine of its own, for good, on first use.
	signal.Stop(signalChannel())
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout lockedBuffer
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"demo", "--delay", "0.05", "--progress", "always"}, strings.NewReader(""), &stdout, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "receiving") { // the first poem is arriving
		if time.Now().After(deadline) {
			t.Fatalf("the demo made no progress: %q", stdout.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the output, bounded
	}
	cancel()
	select {
	case code := <-done:
		if code != 130 || stderr.String() != "gyre: interrupted\n" {
			t.Errorf("status %d, stderr %q", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the demo did not stop when cancelled")
	}
	for _, s := range demoServerLine.FindAllStringSubmatch(stdout.String(), -1) {
		if !isRefused(s[2]) {
			t.Errorf("%s is still served after the demo", s[2])
		}
	}
	// Goroutines end asynchronously (mpb's, the signal watcher's): give
	// them a bounded while.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signalChannel is a channel os/signal has been told about.
func signalChannel() chan os.Signal {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	return ch
}

// A --timeline directory where a figure cannot be written is a usage
// error before the demo starts, not after its first run.
func TestDemoBadArguments(t *testing.T) {
	file := writeFile(t, "f", []byte("x"))
	blocked := t.TempDir()
	if err := os.Mkdir(filepath.Join(blocked, "async.svg"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"now"}, `demo takes no arguments, got "now"`},
		{[]string{"--delay", "x"}, `invalid argument "x" for "--delay" flag: not a duration (seconds, as 0.5, or with a unit, as 500ms)`},
		{[]string{"--timeline", file}, "--timeline: " + file + ": not a directory"},
		{[]string{"--timeline", blocked}, "--timeline: " + filepath.Join(blocked, "async.svg") + " is a directory"},
	} {
		code, stdout, stderr := gyre(t, nil, append([]string{"demo"}, tt.args...)...)
		if code != 2 || stdout != "" || stderr != "gyre: "+tt.stderr+"\n" {
			t.Errorf("gyre demo %q: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.stderr)
		}
	}
}

// A demo nobody can read (stdout a full device) fails with one line: it
// ran on and exited 0.
func TestDemoOutputError(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	code, stderr, _ := runGyreTo(t, full, "demo", "--delay", "0.001")
	if code != 1 || stderr != "gyre: cannot write the demo to stdout: no space left on device\n" {
		t.Errorf("status %d, stderr %q", code, stderr)
	}
}

// A demo whose stdout is /dev/null opened for reading and writing, as
// Python's subprocess.DEVNULL opens it, runs and exits 0: it failed as if
// stdout were closed, which looks the same from inside.
func TestDemoStdoutDevNullReadWrite(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", `"$0" demo --delay 0.001 1<>/dev/null`, gyreBinary)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 0 || stderr.Len() != 0 {
		t.Errorf("status %d, stderr %q", code, stderr.String())
	}
}
