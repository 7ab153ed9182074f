package citest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gyre/internal/progtest"
)

// fuzzDecl is a fuzz target's declaration in a _test.go file.
var fuzzDecl = regexp.MustCompile(`(?m)^func (Fuzz\w*)\(\w+ \*testing\.F\)`)

// declaredTargets returns every fuzz target under root, as .ci/run names
// them: "./DIR:NAME" (DIR relative to root). Hidden directories and
// testdata are not packages and are skipped.
func declaredTargets(t *testing.T, root string) []string {
	t.Helper()
	var targets []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, m := range fuzzDecl.FindAllStringSubmatch(string(b), -1) {
			targets = append(targets, "./"+filepath.ToSlash(dir)+":"+m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return targets
}

// fuzzLoop is .ci/run's list of what it fuzzes: the words of a
// `for target in ... ; do` loop, its lines continued with backslashes.
var fuzzLoop = regexp.MustCompile(`(?m)^for target in((?:[ \t]+\S+)*?(?:[ \t]*\\\n(?:[ \t]+\S+)*?)*)[ \t]*; do`)

// fuzzedTargets returns the targets .ci/run fuzzes ("./DIR:NAME"): those
// of its loop only, not a target that a comment, or another command,
// mentions.
func fuzzedTargets(ci string) []string {
	var targets []string
	for _, m := range fuzzLoop.FindAllStringSubmatch(ci, -1) {
		for _, w := range strings.Fields(m[1]) {
			if w != "\\" {
				targets = append(targets, w)
			}
		}
	}
	return targets
}

// Every fuzz target of the repository is in .ci/run's list, which fuzzes
// each for 10 seconds: the README says CI fuzzes "each fuzz target". The
// list once left six out (the simulator's FuzzRun and FuzzRunBounded,
// optparse's FuzzParsePyInt, the bench tools' log and dump parsers).
func TestCIFuzzesEveryTarget(t *testing.T) {
	root := progtest.ModuleRoot(t)
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	listed := fuzzedTargets(string(ci))
	if len(listed) == 0 {
		t.Fatal(".ci/run has no `for target in ...; do` list of fuzz targets: the script or the pattern changed")
	}
	declared := declaredTargets(t, root)
	if len(declared) == 0 {
		t.Fatal("found no fuzz target in the repository: the walk or the pattern is wrong")
	}
	for _, target := range declared {
		if !slices.Contains(listed, target) {
			t.Errorf(".ci/run does not fuzz %s", target)
		}
	}
	for _, target := range listed {
		if !slices.Contains(declared, target) {
			t.Errorf(".ci/run fuzzes %s, which the repository does not declare", target)
		}
	}
}

// Only the loop's list counts as fuzzed: a target that a comment names,
// or a line of the list commented out after the loop, is not fuzzed. All
// of the script's text counted, so a target taken out of the list but
// still named in a comment passed for fuzzed.
func TestFuzzedTargetsReadsTheLoopOnly(t *testing.T) {
	ci := `# ./poetry:FuzzOld used to be fuzzed here too
step "fuzzing"
for target in \
  ./poetry:FuzzParseAddress \
  ./cmd/gyre:FuzzAppendDuration; do
  fuzz_one "${target%%:*}" "${target##*:}"
done
# later: ./reactor:FuzzParseEndpoint
`
	got := fuzzedTargets(ci)
	want := []string{"./poetry:FuzzParseAddress", "./cmd/gyre:FuzzAppendDuration"}
	if !slices.Equal(got, want) {
		t.Errorf("fuzzedTargets = %q, want %q", got, want)
	}
}
