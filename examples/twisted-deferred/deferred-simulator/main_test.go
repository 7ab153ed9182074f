package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// binary is the program built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "deferred-simulator-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "deferred-simulator")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", binary, ".").CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the program: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the program with args and stdin, bounded in time.
func run(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: timed out", args)
	}
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.ExitCode(), out.Bytes(), errOut.Bytes()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.Bytes(), errOut.Bytes()
}

// moduleRoot walks up from the package directory to go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// runCases runs every case folder (input, args, expected) under dir through
// the program.
func runCases(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		caseDir := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(caseDir, name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			args := strings.Fields(string(read("args")))
			code, stdout, stderr := run(t, read("input"), args...)
			if code != 0 || len(stderr) != 0 {
				t.Errorf("exit status %d, stderr %q", code, stderr)
			}
			if want := read("expected"); !bytes.Equal(stdout, want) {
				t.Errorf("stdout differs from %s/expected (%d bytes, want %d)", caseDir, len(stdout), len(want))
			}
		})
	}
	if n == 0 {
		t.Fatalf("no cases in %s", dir)
	}
}

func TestGoldenCases(t *testing.T) {
	runCases(t, filepath.Join(moduleRoot(t), "internal", "simulator", "testdata", "golden"))
}

func TestReferenceExamples(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "..", "shared", "reference", "deferred-simulator-examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("reference examples not available: %v", err)
	}
	runCases(t, dir)
}

const usage = `Usage: deferred-simulator
A Deferred simulator. Use this to see how a particular
set of callbacks and errbacks will fire in a deferred.
`

func TestHelp(t *testing.T) {
	want := usage + `
Options:
  -h, --help  show this help message and exit
  --narrow    draw all three chains in one column
`
	for _, arg := range []string{"--help", "-h"} {
		code, stdout, stderr := run(t, nil, arg)
		if code != 0 || string(stdout) != want || len(stderr) != 0 {
			t.Errorf("%s: status %d, stdout %q, stderr %q", arg, code, stdout, stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"extra"}, "No arguments supported."},
		{[]string{"--wide"}, "no such option: --wide"},
		{[]string{"--narrow=yes"}, "--narrow option does not take a value"},
	} {
		code, stdout, stderr := run(t, []byte("r a p\n\n"), tt.args...)
		want := usage + "\ndeferred-simulator: error: " + tt.msg + "\n"
		if code != 2 || len(stdout) != 0 || string(stderr) != want {
			t.Errorf("%q: status %d, stdout %q, stderr %q", tt.args, code, stdout, stderr)
		}
	}
}

// TestEndOfInput: the original exits 0 without a drawing when its input ends
// before the terminating empty line, even with pairs entered.
func TestEndOfInput(t *testing.T) {
	for _, in := range []string{"", "r a p\n", "r a p\nf b p", "r a p\r\n\r\n"} {
		code, stdout, stderr := run(t, []byte(in), "--narrow")
		if code != 0 || len(stderr) != 0 || bytes.Contains(stdout, []byte("Deferred   ")) {
			t.Errorf("%q: status %d, stderr %q, drew: %v", in, code, stderr, bytes.Contains(stdout, []byte("Deferred   ")))
		}
	}
}
