package simulator

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites the expected output of the cases under testdata/golden
// from the current implementation. Use it only to add a case, then check the
// new file by hand against the spec before committing it.
var update = flag.Bool("update", false, "rewrite testdata/golden/*/expected")

// goldenCase is a folder holding input (stdin), args (empty or "--narrow")
// and expected (stdout), the layout of the reference examples.
type goldenCase struct {
	name, dir string
}

// goldenCases lists the case folders under dir.
func goldenCases(t *testing.T, dir string) []goldenCase {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, goldenCase{e.Name(), filepath.Join(dir, e.Name())})
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	return cases
}

// narrowArg reads a case's args file: the only argument a case may have is
// --narrow.
func narrowArg(t *testing.T, dir string) bool {
	t.Helper()
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	switch strings.TrimSpace(string(args)) {
	case "":
		return false
	case "--narrow":
		return true
	}
	t.Fatalf("%s: unexpected args %q", dir, args)
	return false
}

// runCase runs Run on a case's input and compares the output with expected.
func runCase(t *testing.T, c goldenCase, rewrite bool) {
	t.Helper()
	input, err := os.ReadFile(filepath.Join(c.dir, "input"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Run(bytes.NewReader(input), &out, narrowArg(t, c.dir)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	expectedPath := filepath.Join(c.dir, "expected")
	if rewrite {
		if err := os.WriteFile(expectedPath, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(expectedPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := firstDifference(out.Bytes(), want); diff != "" {
		t.Errorf("output differs from %s: %s", expectedPath, diff)
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
	for _, c := range goldenCases(t, filepath.Join("testdata", "golden")) {
		t.Run(c.name, func(t *testing.T) { runCase(t, c, *update) })
	}
}

// TestReferenceExamples runs the byte-exact examples captured from the
// original program, which live beside the project (../shared) and are absent
// from users' clones.
func TestReferenceExamples(t *testing.T) {
	dir := referenceExamplesDir(t)
	for _, c := range goldenCases(t, dir) {
		t.Run(c.name, func(t *testing.T) { runCase(t, c, false) })
	}
}

// referenceExamplesDir finds ../shared/reference/deferred-simulator-examples
// next to the module root, or skips the test.
func referenceExamplesDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	ref := filepath.Join(dir, "..", "shared", "reference", "deferred-simulator-examples")
	if _, err := os.Stat(ref); err != nil {
		t.Skipf("reference examples not available: %v", err)
	}
	return ref
}
