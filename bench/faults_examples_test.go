package bench

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// faultScenarios returns the names of internal/faultsuite's tests, without
// "Test": the scenarios bench/faults/run picks from.
func faultScenarios(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../internal/faultsuite/*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fault suite tests: %v", err)
	}
	decl := regexp.MustCompile(`(?m)^func Test([A-Za-z0-9_]*)\(t \*testing\.T\)`)
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
	}
	return names
}

// Every bench/faults/run command shown in its README and in the script's
// own header names scenarios the script accepts: each name must start a
// test's name after "Test", as go test -run '^Test(NAME)' takes it. Such a
// command cannot be run here (it starts the full-size suite), so its names
// are checked by that rule. The README once showed "Concurrent
// Exhaustion", which the script refuses (the test is
// TestDescriptorExhaustion).
func TestFaultsExamplesNameScenarios(t *testing.T) {
	scenarios := faultScenarios(t)
	commands := 0
	// A command line: the script's name, then arguments, then a comment
	// or the end of the line (not "bench/faults/run: ...", which is prose).
	command := regexp.MustCompile(`(?m)^#?\s*bench/faults/run((?:[ \t]+[^\s#:]\S*)*)[ \t]*(?:#|$)`)
	for _, doc := range []string{"faults/README.md", "faults/run"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range command.FindAllStringSubmatch(string(b), -1) {
			commands++
			for _, name := range strings.Fields(m[1]) {
				if name == "--" {
					break // go test's flags follow
				}
				if strings.HasPrefix(name, "-") {
					continue
				}
				pick := regexp.MustCompile("^Test(" + name + ")")
				found := false
				for _, s := range scenarios {
					found = found || pick.MatchString("Test"+s)
				}
				if !found {
					t.Errorf("%s: bench/faults/run%s: %q names no scenario (%s)", doc, m[1], name, strings.Join(scenarios, " "))
				}
			}
		}
	}
	if commands < 4 {
		t.Errorf("found %d bench/faults/run commands in the README and the script, want at least 4: the pattern no longer finds them", commands)
	}
}
