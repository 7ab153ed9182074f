package progtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Case is one case folder, the layout of the reference's
// deferred-simulator-examples (and of the golden cases written beside the
// code in the same form): a folder per case holding "input" (what the
// program reads on stdin), "args" (its arguments, separated by white
// space, often empty) and "expected" (what it must print on stdout).
type Case struct {
	Name     string // the folder's name
	Dir      string // the folder's path
	Input    []byte
	Args     []string
	Expected []byte
}

// ExpectedPath is the path of the case's expected output (for a test that
// rewrites it).
func (c Case) ExpectedPath() string { return filepath.Join(c.Dir, "expected") }

// Cases reads every case folder under dir, in name order; files directly
// under dir are ignored. It fails the test when dir cannot be read, a case
// lacks one of its files, or there is no case at all (a wrong path must
// not pass as an empty suite).
func Cases(t testing.TB, dir string) []Case {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c := Case{Name: e.Name(), Dir: filepath.Join(dir, e.Name())}
		read := func(name string) []byte {
			data, err := os.ReadFile(filepath.Join(c.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
		c.Input, c.Args, c.Expected = read("input"), strings.Fields(string(read("args"))), read("expected")
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	return cases
}
