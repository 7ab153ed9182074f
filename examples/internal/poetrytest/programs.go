package poetrytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gyre/examples/internal/servercli"
	"gyre/internal/progtest"
	"gyre/poetry"
)

// GyreText turns text from a reference transcript of the tutorial's script
// dir/script.py into what the gyre program prints, following the team's
// conventions: the program is named without ".py", the commands in the
// usage text run the Go program ("python dir/script.py" becomes
// "go run ./examples/<goDir>", "python script.py" becomes "go run ."), and
// the servers' help, whose example serves a poem of the tutorial's, says
// where those poems come from (servercli.PoemsNote).
func GyreText(ref, dir, script, goDir string) string {
	return strings.NewReplacer(
		"python "+dir+"/"+script+".py", "go run ./examples/"+goDir,
		"python "+script+".py", "go run .",
		script+".py", script,
		"which I know you want to do.\n", "which I know you want to do.\n"+servercli.PoemsNote,
	).Replace(ref)
}

// Program is one of the tutorial's programs as gyre has it under
// examples/: the tutorial's directory and script name, which are also the
// Go program's directories (twisted-client-3/get-poetry.py is
// ./examples/twisted-client-3/get-poetry) and name its reference
// transcript (twisted-client-3__get-poetry.txt).
type Program struct {
	Dir  string // the tutorial's directory: "twisted-client-3"
	Name string // the script without ".py": "get-poetry"
}

// Exe builds the program (once per test process; see progtest.Build) and
// returns the executable's path.
func (p Program) Exe(t testing.TB) string {
	t.Helper()
	return progtest.Build(t, "./examples/"+p.Dir+"/"+p.Name)
}

// Transcript loads the program's reference transcript (the test is
// skipped without ../shared).
func (p Program) Transcript(t testing.TB) []progtest.Section {
	t.Helper()
	return progtest.LoadTranscript(t, p.Dir+"__"+p.Name+".txt")
}

// GyreText is GyreText for the program's own reference text.
func (p Program) GyreText(ref string) string {
	return GyreText(ref, p.Dir, p.Name, p.Dir+"/"+p.Name)
}

// goTypes maps the exception classes that the reference's printed
// Failures name to the Go types gyre's errors have in their place.
var goTypes = strings.NewReplacer(
	"<class 'twisted.internet.error.ConnectionRefusedError'>", "*reactor.ConnectError",
	"<class 'twisted.internet.error.ConnectionLost'>", "*reactor.ConnectionLostError",
	"<class 'twisted.internet.error.ConnectionDone'>", "*reactor.ConnectionDoneError",
)

// GoTypes turns the exception classes in reference text into the Go types
// of the errors a gyre program prints in a Failure where Python prints the
// class: ConnectionRefusedError is a *reactor.ConnectError, ConnectionLost
// a *reactor.ConnectionLostError, ConnectionDone a
// *reactor.ConnectionDoneError.
func GoTypes(ref string) string { return goTypes.Replace(ref) }

// PoemFile writes an embedded poem (see poetry.Poems) to a temporary file
// and returns its path, for programs that serve a file.
func PoemFile(t testing.TB, name string) string {
	t.Helper()
	data, err := poetry.Poem(name)
	if err != nil {
		t.Fatal(err)
	}
	return WriteFile(t, name+".txt", data)
}

// WriteFile writes data to a file of that name in a temporary directory
// and returns its path.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// UnreadableFile returns the path of a file that exists but cannot be
// read, and the reason a program reading it gets ("permission denied").
// Root reads any file whatever its mode, so for root it is /proc/self/mem,
// which Linux refuses to read at offset 0 ("input/output error"); where
// there is no such file, the test is skipped.
func UnreadableFile(t testing.TB) (path, reason string) {
	t.Helper()
	if os.Geteuid() != 0 {
		path := PoemFile(t, "orchard")
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		return path, "permission denied"
	}
	if _, err := os.Stat("/proc/self/mem"); err != nil {
		t.Skip("running as root without /proc/self/mem: no unreadable file to test with")
	}
	return "/proc/self/mem", "input/output error"
}

var servingRE = regexp.MustCompile(`^Serving (.*) on port (\d+)\.$`)

// StartServerProgram runs a slow-server program (blocking-server,
// async-server) with args, waits for its "Serving FILE on port P." line and
// returns the process and the port. Pass "--port", "0" or no --port, so
// that the system picks a free one.
func StartServerProgram(t testing.TB, exe string, args ...string) (*progtest.Proc, string) {
	t.Helper()
	p := progtest.Start(t, exe, args...)
	m := p.WaitLine(servingRE, 10*time.Second)
	return p, m[2]
}

// StartServerProgramLimited is StartServerProgram with the program's
// descriptor limit (RLIMIT_NOFILE, soft and hard) set to nofile: the shell
// sets it and execs the program, which keeps the process (a Go child
// started directly would get the test's own limit back).
func StartServerProgramLimited(t testing.TB, nofile int, exe string, args ...string) (*progtest.Proc, string) {
	t.Helper()
	script := fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, nofile)
	return StartServerProgram(t, "/bin/sh", append([]string{"-c", script, exe}, args...)...)
}
