package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// run runs the program with args and stdin, bounded in time.
func run(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr []byte) {
	t.Helper()
	exe := progtest.Build(t, "./examples/twisted-deferred/deferred-simulator")
	res := progtest.RunWith(t, progtest.Options{Stdin: string(stdin)}, 30*time.Second, exe, args...)
	return res.Code, []byte(res.Stdout), []byte(res.Stderr)
}

// runCases runs every case folder (input, args, expected) under dir through
// the program.
func runCases(t *testing.T, dir string) {
	t.Helper()
	for _, c := range progtest.Cases(t, dir) {
		t.Run(c.Name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.Input, c.Args...)
			if code != 0 || len(stderr) != 0 {
				t.Errorf("exit status %d, stderr %q", code, stderr)
			}
			if !bytes.Equal(stdout, c.Expected) {
				t.Errorf("stdout differs from %s (%d bytes, want %d)", c.ExpectedPath(), len(stdout), len(c.Expected))
			}
		})
	}
}

func TestGoldenCases(t *testing.T) {
	runCases(t, filepath.Join(progtest.ModuleRoot(t), "internal", "simulator", "testdata", "golden"))
}

// TestExerciseCases runs the inputs of parts 9 and 10's exercises, kept
// beside the program (exercises/README.md says what each is).
func TestExerciseCases(t *testing.T) {
	runCases(t, filepath.Join(progtest.ModuleRoot(t), "examples", "twisted-deferred", "deferred-simulator", "exercises"))
}

func TestReferenceExamples(t *testing.T) {
	runCases(t, progtest.SharedFile(t, "reference", "deferred-simulator-examples"))
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

// TestInterrupt: as the original, the simulator handles no signal, and
// Ctrl-C while it waits for the user's next line ends it with the stack of
// that wait (crash.OnInterrupt), then "KeyboardInterrupt", killed by
// SIGINT, where the original prints a KeyboardInterrupt traceback through
// raw_input.
func TestInterrupt(t *testing.T) {
	exe := progtest.Build(t, "./examples/twisted-deferred/deferred-simulator")
	p := progtest.StartWith(t, progtest.Options{Stdin: "r good f bad\n", StdinOpen: true}, exe)
	p.WaitLine(regexp.MustCompile(`^You will want to make your terminal as wide as possible\.$`), 10*time.Second)
	time.Sleep(200 * time.Millisecond) // reading the line after the first pair
	poetrytest.CheckInterrupt(t, p.Signal(syscall.SIGINT), "os.(*File).Read", "gyre/internal/simulator.Main", "main.main")
}
