package progtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The binaries built by this test process, by package path. Building once
// per process keeps a test file with twenty runs of one program fast.
var (
	buildMu  sync.Mutex
	buildDir string
	built    = map[string]string{}
)

// Build compiles the main package pkg, given relative to the module root
// ("./examples/blocking-server"), and returns the path of the executable.
// The first call per package builds; later calls, from any test, return the
// same binary. A build failure fails the test with the compiler's output.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if exe, ok := built[pkg]; ok {
		return exe
	}
	root := ModuleRoot(t)
	if buildDir == "" {
		dir, err := os.MkdirTemp("", "progtest-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = dir
	}
	name := strings.Trim(strings.NewReplacer("/", "_", ".", "_").Replace(pkg), "_")
	exe := filepath.Join(buildDir, fmt.Sprintf("%s-%d", name, len(built)))
	cmd := exec.Command(goTool(), "build", "-o", exe, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	built[pkg] = exe
	return exe
}

// goTool finds the go command: the one that is running the tests if GOROOT
// is known, else the first on PATH.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if p := "/usr/local/go/bin/go"; fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Main runs the tests of a package and then removes the binaries Build made.
// Call it from TestMain:
//
//	func TestMain(m *testing.M) { progtest.Main(m) }
//
// Without it Build still works, but its temporary directory is left behind.
func Main(m *testing.M) {
	code := m.Run()
	buildMu.Lock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	buildMu.Unlock()
	os.Exit(code)
}
