package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gyreBinary is the gyre tool, built once by TestMain.
var gyreBinary string

func TestMain(m *testing.M) {
	// Under nohup, the gyre processes the tests start would inherit
	// SIGHUP ignored, keep it so (as gyre does for nohup), and outlive the
	// hang-ups the tests send them. Handled here, it is back at its
	// default in them, as outside nohup; the tests of nohup ignore it
	// themselves (the shell's trap).
	if signal.Ignored(syscall.SIGHUP) {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	}
	dir, err := os.MkdirTemp("", "gyre-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gyreBinary = filepath.Join(dir, "gyre")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", gyreBinary, ".").CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building gyre: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gyre runs the built tool with stdin and args, bounded in time.
func gyre(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gyreBinary, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("gyre %q: timed out", args)
	}
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {}, {"help"}} {
		code, stdout, stderr := gyre(t, nil, args...)
		if code != 0 || stderr != "" {
			t.Errorf("gyre %q: status %d, stderr %q", args, code, stderr)
		}
		for _, want := range []string{"Twisted", "Usage:\n  gyre [flags]\n  gyre [command]", "Examples:", "simulate", "completion", "--version"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("gyre %q: help lacks %q", args, want)
			}
		}
	}
}

// -h before the command's name asks for that command's help: it was taken
// for a flag of the root with the name as its value, a usage error.
func TestHelpFlagBeforeCommand(t *testing.T) {
	for _, args := range [][]string{{"-h", "serve"}, {"--help", "completion", "bash"}} {
		code, stdout, stderr := gyre(t, nil, args...)
		_, want, _ := gyre(t, nil, append(args[1:], args[0])...)
		if code != 0 || stderr != "" || stdout != want {
			t.Errorf("gyre %q: status %d, stderr %q, stdout %.60q; want the help of %q", args, code, stderr, stdout, args[1:])
		}
	}
}

// Help that cannot be written is a failure, as --version's is: it was
// dropped, status 0.
func TestHelpWriteError(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	for _, args := range [][]string{{"--help"}, {}, {"help", "get"}, {"serve", "-h"}} {
		var stderr bytes.Buffer
		code := execute(t.Context(), args, nil, full, &stderr)
		if want := "gyre: cannot write the help to stdout: no space left on device\n"; code != 1 || stderr.String() != want {
			t.Errorf("gyre %q > /dev/full: status %d, stderr %q; want 1, %q", args, code, stderr.String(), want)
		}
	}
	// gyre --help | head -1: the reader has what it wanted.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	// And so for the other things gyre prints for a reader: --version, a
	// completion script (gyre completion bash | true).
	for _, args := range [][]string{{"--help"}, {"--version"}, {"completion", "bash"}, {"completion", "fish"}} {
		var stderr bytes.Buffer
		if code := execute(t.Context(), args, nil, w, &stderr); code != 0 || stderr.Len() != 0 {
			t.Errorf("gyre %q into a closed pipe: status %d, stderr %q; want 0 and nothing", args, code, stderr.String())
		}
	}
}

func TestSimulateHelp(t *testing.T) {
	for _, args := range [][]string{{"simulate", "--help"}, {"help", "simulate"}} {
		code, stdout, stderr := gyre(t, nil, args...)
		if code != 0 || stderr != "" {
			t.Errorf("gyre %q: status %d, stderr %q", args, code, stderr)
		}
		for _, want := range []string{"gyre simulate [flags]", "Examples:", "--narrow"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("gyre %q: help lacks %q", args, want)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := gyre(t, nil, "--version")
	if code != 0 || stderr != "" || !regexp.MustCompile(`^gyre version \S+\n$`).MatchString(stdout) {
		t.Errorf("status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// An argument beside it is an error, as on any other command line.
	code, stdout, stderr = gyre(t, nil, "--version", "nosuch")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `unknown command "nosuch"`) {
		t.Errorf("gyre --version nosuch: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"nope"}, 2, `gyre: unknown command "nope" for "gyre"` + "\n"},
		{[]string{"simulat"}, 2, `gyre: unknown command "simulat" for "gyre" (did you mean "simulate"?)` + "\n"},
		{[]string{"--nope"}, 2, "gyre: unknown flag: --nope\n"},
		{[]string{"-x"}, 2, "gyre: unknown shorthand flag: 'x' in -x\n"},
		{[]string{"simulate", "--wide"}, 2, "gyre: unknown flag: --wide\n"},
		{[]string{"simulate", "--narrow=maybe"}, 2, ""},
		{[]string{"simulate", "extra"}, 2, `gyre: simulate takes no arguments (it reads the pairs from stdin), got "extra"` + "\n"},
		{[]string{"completion", "bash", "extra"}, 2, ""},
		// --help after no such command showed the root's help, status 0.
		{[]string{"nope", "--help"}, 2, `gyre: unknown command "nope" for "gyre"` + "\n"},
		{[]string{"serv", "-h"}, 2, `gyre: unknown command "serv" for "gyre" (did you mean "serve"?)` + "\n"},
		// So did -h before the word, and --help after no such
		// subcommand showed the parent's help.
		{[]string{"-h", "nope"}, 2, `gyre: unknown command "nope" for "gyre"` + "\n"},
		{[]string{"completion", "bsh", "--help"}, 2, `gyre: unknown command "bsh" for "gyre completion"` + "\n"},
		{[]string{"-h", "completion", "bsh"}, 2, `gyre: unknown command "bsh" for "gyre completion"` + "\n"},
		{[]string{"completion", "-h", "bsh"}, 2, `gyre: unknown command "bsh" for "gyre completion"` + "\n"},
		// --help after arguments a command without subcommands refuses
		// showed its help, status 0, where the same words without it
		// (and after gyre help) are a usage error.
		{[]string{"completion", "bash", "extra", "--help"}, 2, `gyre: unknown command "extra" for "gyre completion bash"` + "\n"},
		{[]string{"echo", "9000", "--help"}, 2, `gyre: echo takes no arguments, got "9000"` + "\n"},
		{[]string{"simulate", "-h", "extra"}, 2, `gyre: simulate takes no arguments (it reads the pairs from stdin), got "extra"` + "\n"},
		// gyre help of no such command showed the root's help, status 0.
		{[]string{"help", "nope"}, 2, `gyre: unknown command "nope" for "gyre"` + "\n"},
		{[]string{"help", "simulat"}, 2, `gyre: unknown command "simulat" for "gyre" (did you mean "simulate"?)` + "\n"},
		{[]string{"help", "completion", "nope"}, 2, `gyre: unknown command "nope" for "gyre completion"` + "\n"},
	} {
		code, stdout, stderr := gyre(t, []byte("r a p\n\n"), tt.args...)
		if code != tt.code || stdout != "" {
			t.Errorf("gyre %q: status %d, stdout %q; want status %d and no output", tt.args, code, stdout, tt.code)
		}
		if tt.stderr != "" && stderr != tt.stderr {
			t.Errorf("gyre %q: stderr %q, want %q", tt.args, stderr, tt.stderr)
		}
		if !strings.HasPrefix(stderr, "gyre: ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("gyre %q: stderr %q is not one line \"gyre: ...\"", tt.args, stderr)
		}
	}
}

// --help with arguments the command accepts, or none where it needs some,
// is the help.
func TestHelpWithArguments(t *testing.T) {
	for _, args := range [][]string{{"get", "--help"}, {"get", "10000", "--help"}, {"echo", "-h"}, {"completion", "bash", "--help"}} {
		if code, stdout, stderr := gyre(t, nil, args...); code != 0 || stderr != "" || !strings.Contains(stdout, "Usage:") {
			t.Errorf("gyre %q: status %d, stderr %q, %d bytes of help", args, code, stderr, len(stdout))
		}
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, stdout, stderr := gyre(t, nil, "completion", shell)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "gyre") {
			t.Errorf("completion %s: status %d, stderr %q, %d bytes", shell, code, stderr, len(stdout))
		}
	}
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

// simulateCases runs `gyre simulate` on every case folder (input, args,
// expected) under dir.
func simulateCases(t *testing.T, dir string) {
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
			args := append([]string{"simulate"}, strings.Fields(string(read("args")))...)
			code, stdout, stderr := gyre(t, read("input"), args...)
			if code != 0 || stderr != "" {
				t.Errorf("status %d, stderr %q", code, stderr)
			}
			if want := read("expected"); stdout != string(want) {
				t.Errorf("stdout differs from %s/expected (%d bytes, want %d)", caseDir, len(stdout), len(want))
			}
		})
	}
	if n == 0 {
		t.Fatalf("no cases in %s", dir)
	}
}

func TestSimulateGolden(t *testing.T) {
	simulateCases(t, filepath.Join(moduleRoot(t), "internal", "simulator", "testdata", "golden"))
}

func TestSimulateReferenceExamples(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "..", "shared", "reference", "deferred-simulator-examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("reference examples not available: %v", err)
	}
	simulateCases(t, dir)
}

// gyre simulate skips a line longer than 64 KiB with one short error line,
// without holding it: a 50 MB line took 552 MB and was quoted back whole.
func TestSimulateLongLine(t *testing.T) {
	input := append(bytes.Repeat([]byte("y"), 1<<20), "\nr a p\n\n"...)
	code, stdout, stderr := gyre(t, input, "simulate", "--narrow")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "\nERROR: line longer than 65536 bytes\n") || len(stdout) > 64<<10 {
		t.Errorf("status %d, stderr %q, %d bytes out: %.100q", code, stderr, len(stdout), stdout[len(stdout)/2:])
	}
}

// gyre simulate keeps at most 1000 pairs: 100000 lines of "r a p" took
// 650 MB to hold and draw, and input that never ends took all the memory.
func TestSimulateManyPairs(t *testing.T) {
	input := append(bytes.Repeat([]byte("r a p\n"), 1001), '\n')
	code, stdout, stderr := gyre(t, input, "simulate", "--narrow")
	if code != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	if n := strings.Count(stdout, "ERROR: too many pairs (at most 1000)\n"); n != 1 {
		t.Errorf("%d error lines for the 1001st pair, want 1", n)
	}
	if n := strings.Count(stdout, "|    return a    |"); n != 1000 {
		t.Errorf("the deferred diagram shows %d pairs, want 1000", n)
	}
}
