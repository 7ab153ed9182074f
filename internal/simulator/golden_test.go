package simulator

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gyre/internal/progtest"
)

// update rewrites the expected output of the cases under testdata/golden
// from the current implementation. Use it only to add a case (create its
// folder with input, args and an empty expected), then check the new file
// by hand against the spec before committing it.
var update = flag.Bool("update", false, "rewrite testdata/golden/*/expected")

// narrowArg reads a case's arguments: the only argument a case may have is
// --narrow.
func narrowArg(t *testing.T, c progtest.Case) bool {
	t.Helper()
	switch strings.Join(c.Args, " ") {
	case "":
		return false
	case "--narrow":
		return true
	}
	t.Fatalf("%s: unexpected args %q", c.Dir, c.Args)
	return false
}

// runCase runs Run on a case's input and compares the output with expected.
func runCase(t *testing.T, c progtest.Case, rewrite bool) {
	t.Helper()
	var out bytes.Buffer
	if err := Run(bytes.NewReader(c.Input), &out, narrowArg(t, c)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rewrite {
		if err := os.WriteFile(c.ExpectedPath(), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := firstDifference(out.Bytes(), c.Expected); diff != "" {
		t.Errorf("output differs from %s: %s", c.ExpectedPath(), diff)
	}
}

// firstDifference describes where got and want first differ, by line, or
// returns "" when they are equal.
func firstDifference(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	g := strings.SplitAfter(string(got), "\n")
	w := strings.SplitAfter(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "(same lines, different bytes)"
}

// TestGolden runs the cases in testdata/golden, written for this package from
// the behaviour spec: every error message, both layouts, end of input.
func TestGolden(t *testing.T) {
	for _, c := range progtest.Cases(t, filepath.Join("testdata", "golden")) {
		t.Run(c.Name, func(t *testing.T) { runCase(t, c, *update) })
	}
}

// TestReferenceExamples runs the byte-exact examples captured from the
// original program, which live beside the project (../shared) and are absent
// from users' clones (the test is skipped there).
func TestReferenceExamples(t *testing.T) {
	dir := progtest.SharedFile(t, "reference", "deferred-simulator-examples")
	for _, c := range progtest.Cases(t, dir) {
		t.Run(c.Name, func(t *testing.T) { runCase(t, c, false) })
	}
}
