package progtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

const echo = "./internal/progtest/testdata/echo"

func TestBuildOnce(t *testing.T) {
	a, b := Build(t, echo), Build(t, echo)
	if a != b {
		t.Errorf("two builds: %s and %s", a, b)
	}
	if _, err := os.Stat(a); err != nil {
		t.Error(err)
	}
}

func TestRun(t *testing.T) {
	t.Setenv("COLUMNS", "123")
	res := RunWith(t, Options{Stdin: "in\n", Env: []string{"EXTRA=1"}}, 10*time.Second, Build(t, echo),
		"out:hello", "err:oops", "stdin", "env:COLUMNS", "env:EXTRA", "exit:3")
	if res.Code != 3 || res.Stdout != "hello\nin\nCOLUMNS unset\nEXTRA=1\n" || res.Stderr != "oops\n" {
		t.Errorf("%+v", res)
	}
}

func TestRunDir(t *testing.T) {
	dir := t.TempDir()
	res := RunWith(t, Options{Dir: dir}, 10*time.Second, Build(t, echo), "pwd")
	got, _ := filepath.EvalSymlinks(strings.TrimSpace(res.Stdout))
	want, _ := filepath.EvalSymlinks(dir)
	if got != want {
		t.Errorf("ran in %q, want %q", got, want)
	}
}

func TestStartWaitLineStop(t *testing.T) {
	p := Start(t, Build(t, echo), "out:starting", "out:port 4242", "wait")
	m := p.WaitLine(regexp.MustCompile(`^port (\d+)$`), 10*time.Second)
	if m[1] != "4242" {
		t.Errorf("submatch %q", m)
	}
	res := p.Stop()
	if res.Signal != syscall.SIGTERM || res.Code != -1 || res.Stdout != "starting\nport 4242\n" {
		t.Errorf("%+v", res)
	}
	if again := p.Stop(); again.Stdout != res.Stdout {
		t.Error("a second Stop changed the result")
	}
}

func TestStartWait(t *testing.T) {
	p := Start(t, Build(t, echo), "out:done", "exit:7")
	if res := p.Wait(10 * time.Second); res.Code != 7 || res.Stdout != "done\n" {
		t.Errorf("%+v", res)
	}
}

func TestParseTranscript(t *testing.T) {
	text := `Reference transcript: x
=======================

Run 1: Usage: --help
--------------------
$ timeout 10 python3 x.py --help
exit status 0, wall time 0.03 s
--- stdout ---
Usage: x

Options:
  -h

--- stderr ---
(empty)
--- end ---

Server log: session 1
---------------------
$ python3 -u x.py &
stopped with SIGTERM (kill PID); exit status -15
--- output ---
no newline
[no newline at end]
--- end ---
`
	s := ParseTranscript(text)
	if len(s) != 2 {
		t.Fatalf("%d sections: %+v", len(s), s)
	}
	if s[0].Title != "Run 1: Usage: --help" || s[0].Command != "timeout 10 python3 x.py --help" || s[0].Exit != 0 ||
		s[0].Stdout() != "Usage: x\n\nOptions:\n  -h\n\n" || s[0].Stderr() != "" {
		t.Errorf("run: %+v", s[0])
	}
	if s[1].Exit != -15 || s[1].Blocks["output"] != "no newline" {
		t.Errorf("log: %+v", s[1])
	}
}

func TestModuleRoot(t *testing.T) {
	if _, err := os.Stat(filepath.Join(ModuleRoot(t), "go.mod")); err != nil {
		t.Error(err)
	}
}
