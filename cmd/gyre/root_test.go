package main

import (
	"bytes"
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExample walks the whole command tree, cobra's own
// commands included.
func TestEveryCommandHasExample(t *testing.T) {
	root := newRootCmd()
	n := 0
	forEachCommand(root, func(cmd *cobra.Command) {
		n++
		if strings.TrimSpace(cmd.Example) == "" {
			t.Errorf("%q has no Example", cmd.CommandPath())
		}
		if cmd.Short == "" {
			t.Errorf("%q has no Short help", cmd.CommandPath())
		}
	})
	if n < 8 { // gyre, simulate, help, completion and its four shells
		t.Errorf("only %d commands in the tree", n)
	}
}

func TestReport(t *testing.T) {
	for _, tt := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{errors.New("boom"), 1, "gyre: boom\n"},
		{usageErrorf("bad %s", "flag"), 2, "gyre: bad flag\n"},
		{asUsageError(errors.New("unknown flag: --x")), 2, "gyre: unknown flag: --x\n"},
		{asUsageError(&exitError{code: 3, err: errors.New("kept")}), 3, "gyre: kept\n"},
		{&exitError{code: 4}, 4, ""},
		{errors.New("first line\n\n  second line\n"), 1, "gyre: first line second line\n"},
	} {
		var stderr bytes.Buffer
		if code := report(&stderr, tt.err); code != tt.code || stderr.String() != tt.stderr {
			t.Errorf("report(%v) = %d, %q; want %d, %q", tt.err, code, stderr.String(), tt.code, tt.stderr)
		}
	}
}

func TestVersionFrom(t *testing.T) {
	for _, tt := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "devel"},
		{&debug.BuildInfo{}, true, "devel"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "devel"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "v1.2.3"},
	} {
		if got := versionFrom(tt.info, tt.ok); got != tt.want {
			t.Errorf("versionFrom(%+v) = %q, want %q", tt.info, got, tt.want)
		}
	}
}

// TestExecuteInProcess runs gyre simulate without a binary, through the same
// entry point as main.
func TestExecuteInProcess(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := execute(context.Background(), []string{"simulate", "--narrow"}, strings.NewReader("r a p\n\n"), &stdout, &stderr)
	if code != 0 || stderr.Len() != 0 || !strings.Contains(stdout.String(), "d.errback(initial*)") {
		t.Errorf("status %d, stderr %q, stdout %d bytes", code, stderr.String(), stdout.Len())
	}
	stdout.Reset()
	code = execute(context.Background(), nil, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "Available Commands") {
		t.Errorf("no arguments: status %d, stdout %q", code, stdout.String())
	}
}
