package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// script runs the bench script at path (from the repository's root) with
// args, in a process group of its own that is killed whole if it is still
// running after a few seconds: a command line taken for good starts a
// benchmark, which must not run on here.
func script(t *testing.T, path string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = ".."
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %q was still running after 20 s: it took its arguments for good and started", path, args)
	}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// Bad arguments: one line on stderr naming the script, status 2, nothing
// run, with the harness in ../shared or without it. Before, bench/idle/run
// looked for the harness first (without it, any argument passed, status 0)
// and left its flags to the driver, which printed all of them after the
// mistake; bench/clients/run printed its whole usage on stdout after one.
// Before, bench/faults/run ran go test with a pattern that matched
// nothing and reported PASS; bench/lines/run ignored its arguments and
// started the benchmark; bench/run took an option without its value for
// a bash error on a line number (status 1), and --servers=, for a list.
func TestScriptsRejectBadArguments(t *testing.T) {
	for _, tt := range []struct {
		script string
		args   []string
	}{
		{"bench/faults/run", []string{"--bogus"}},
		{"bench/faults/run", []string{"Concurent"}},
		{"bench/faults/run", []string{"Concurrent", "NoSuchScenario"}},
		{"bench/lines/run", []string{"--bogus"}},
		{"bench/lines/run", []string{"whole"}},
		{"bench/run", []string{"--reps"}},
		{"bench/run", []string{"--servers"}},
		{"bench/run", []string{"--out"}},
		{"bench/run", []string{"--reps="}},
		{"bench/run", []string{"W1", "--out", "--quick"}},
		{"bench/run", []string{"--servers=,"}},
		{"bench/run", []string{"--servers", ",,"}},
		{"bench/lateness/run", []string{"--bogus"}},
		{"bench/lateness/run", []string{"--reps"}},
		{"bench/lateness/run", []string{"--reps", "--conns", "10"}},
		{"bench/lateness/run", []string{"--servers", "gyre,nope"}},
		{"bench/lateness/run", []string{"--conns", "0"}},
		{"bench/idle/run", []string{"-bogus"}},
		{"bench/idle/run", []string{"-n"}},
		{"bench/idle/run", []string{"-n", "0"}},
		{"bench/idle/run", []string{"-servers", "gyre,nope"}},
		{"bench/idle/run", []string{"extra"}},
		{"bench/clients/run", []string{"--bogus"}},
		{"bench/clients/run", []string{"--poem", "--keep"}},
		{"bench/clients/run", []string{"-n"}},
	} {
		t.Run(strings.Join(append([]string{tt.script}, tt.args...), " "), func(t *testing.T) {
			code, stdout, stderr := script(t, tt.script, tt.args...)
			if code != 2 || stdout != "" {
				t.Errorf("status %d, stdout %q; want status 2 and no output", code, stdout)
			}
			if !strings.HasPrefix(stderr, tt.script+": ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q is not one line %q", stderr, tt.script+": ...")
			}
		})
	}
}

// RUNS, bench/lines/run's count, is checked before anything runs: a word
// went to go test's -test.count and to the Twisted side as it was.
func TestLinesRunsIsChecked(t *testing.T) {
	for _, runs := range []string{"abc", "0", "-1", "3x"} {
		t.Setenv("RUNS", runs)
		code, stdout, stderr := script(t, "bench/lines/run")
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "bench/lines/run: RUNS ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("RUNS=%s: status %d, stdout %q, stderr %q; want status 2 and one line about RUNS", runs, code, stdout, stderr)
		}
	}
}

// --help says what the script does and how to call it, and runs nothing.
func TestScriptsHelp(t *testing.T) {
	for _, path := range []string{"bench/run", "bench/faults/run", "bench/lines/run"} {
		code, stdout, stderr := script(t, path, "--help")
		if code != 0 || stderr != "" || !strings.Contains(stdout, path) {
			t.Errorf("%s --help: status %d, stderr %q, and a help that does not name the script:\n%s", path, code, stderr, stdout)
		}
		if strings.Contains(stdout, "set -euo pipefail") {
			t.Errorf("%s --help prints the script's code:\n%s", path, stdout)
		}
	}
}

// A mistake on the command line is one wherever the script runs: where
// ../shared is missing too (a user's clone), bench/lateness/run said
// "nothing to run" and exited 0 before it read its arguments.
func TestBadArgumentsWithoutShared(t *testing.T) {
	tree := t.TempDir() // tree/repo, and no tree/shared
	for _, f := range []string{"bench/lib.sh", "bench/lateness/run", "bench/run"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(tree, "repo", f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		script string
		args   []string
	}{
		{"bench/lateness/run", []string{"--bogus"}},
		{"bench/lateness/run", []string{"--reps"}},
		{"bench/lateness/run", []string{"--servers", "nope"}},
		{"bench/run", []string{"--bogus"}},
	} {
		path := filepath.Join(tree, "repo", tt.script)
		code, stdout, stderr := script(t, path, tt.args...)
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, tt.script+": ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s %q without ../shared: status %d, stdout %q, stderr %q; want status 2 and one line on stderr",
				tt.script, tt.args, code, stdout, stderr)
		}
	}
	// Good arguments without the harness: one line, nothing run, status 0.
	code, stdout, _ := script(t, filepath.Join(tree, "repo", "bench/lateness/run"), "--reps", "1")
	if code != 0 || !strings.Contains(stdout, "nothing to run") {
		t.Errorf("good arguments without ../shared: status %d, stdout %q", code, stdout)
	}
}

// procsUnder lists the processes whose command line mentions dir.
func procsUnder(dir string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(dir)) {
			out = append(out, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// Ctrl-C stops bench/lateness/run and the server it started. The
// harness's anchors do not handle SIGINT, and a server started in the
// background of a script ignores it: stdserver outlived the script,
// listening, until killed by hand.
func TestLatenessCtrlCStopsItsServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the load harness and runs a slow client batch: skipped with -short")
	}
	if _, err := os.Stat("../../shared/bench/cmd/poetryload/main.go"); err != nil {
		t.Skip("needs the load harness in ../shared/bench")
	}
	scratch := t.TempDir()
	cmd := exec.Command("bench/lateness/run", "--reps", "1", "--servers", "std", "--conns", "1000")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GYRE_BENCH_DIR="+scratch)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	defer func() {
		syscall.Kill(-pgid, syscall.SIGKILL) // whatever is left of the group
		for _, p := range procsUnder(scratch) {
			if pid, _, ok := strings.Cut(p, ":"); ok {
				var n int
				if _, err := fmt.Sscan(pid, &n); err == nil {
					syscall.Kill(n, syscall.SIGKILL)
				}
			}
		}
		if _, dir, ok := strings.Cut(out.String(), " slow clients each, into "); ok {
			os.RemoveAll(strings.TrimSpace(strings.SplitN(dir, "\n", 2)[0]))
		}
	}()
	generator := filepath.Join(scratch, "lateness", "poetryload")
	deadline := time.Now().Add(5 * time.Minute) // the first build of the harness
	for !slices.ContainsFunc(procsUnder(scratch), func(p string) bool { return strings.Contains(p, generator) }) {
		if time.Now().After(deadline) {
			t.Fatalf("the generator did not start:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	syscall.Kill(-pgid, syscall.SIGINT) // what the terminal does on Ctrl-C
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("bench/lateness/run still running 20 s after SIGINT:\n%s", out.String())
	}
	time.Sleep(500 * time.Millisecond)
	if left := procsUnder(scratch); len(left) > 0 {
		t.Errorf("left running after Ctrl-C: %s", strings.Join(left, "; "))
	}
}
