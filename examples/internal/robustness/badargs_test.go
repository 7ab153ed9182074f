package robustness

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m) }

// runBound bounds every run: far more than any of these programs takes to
// refuse its arguments, so that an overrun is a hang.
const runBound = 15 * time.Second

// style is how a program reports bad input.
type style int

const (
	optparseStyle style = iota // usage, empty line, "PROG: error: MSG"; exit 2
	gyreStyle                  // one line, "gyre: MSG"; exit 2 (1 for a failure to listen)
)

// program is one program of the table: its package, the name it gives
// itself in messages, how it reports errors and the arguments that come
// before the case's (gyre's subcommand).
type program struct {
	pkg    string
	prog   string
	style  style
	prefix []string
}

func (p program) String() string {
	return strings.TrimPrefix(strings.Join(append([]string{p.pkg}, p.prefix...), " "), "./")
}

var (
	servers = []program{
		{"./examples/blocking-server", "slowpoetry", optparseStyle, nil},
		{"./examples/async-server", "slowpoetry", optparseStyle, nil},
		{"./examples/twisted-server-1/fastpoetry", "fastpoetry", optparseStyle, nil},
		{"./cmd/gyre", "gyre", gyreStyle, []string{"serve"}},
	}
	clients = []program{
		{"./examples/blocking-client", "get-poetry", optparseStyle, nil},
		{"./examples/async-client", "get-poetry", optparseStyle, nil},
		{"./examples/twisted-client-1/get-poetry", "get-poetry", optparseStyle, nil},
		{"./examples/twisted-client-1/get-poetry-broken", "get-poetry-broken", optparseStyle, nil},
		{"./examples/twisted-client-2/get-poetry", "get-poetry", optparseStyle, nil},
		{"./examples/twisted-client-2/get-poetry-simple", "get-poetry-simple", optparseStyle, nil},
		{"./examples/twisted-client-2/get-poetry-stack", "get-poetry-stack", optparseStyle, nil},
		{"./examples/twisted-client-3/get-poetry", "get-poetry", optparseStyle, nil},
		{"./examples/twisted-client-3/get-poetry-1", "get-poetry-1", optparseStyle, nil},
		{"./examples/twisted-client-4/get-poetry", "get-poetry", optparseStyle, nil},
		{"./examples/twisted-client-4/get-poetry-stack", "get-poetry-stack", optparseStyle, nil},
		{"./examples/twisted-client-5/get-poetry", "get-poetry", optparseStyle, nil},
		{"./examples/twisted-client-5/get-poetry-1", "get-poetry-1", optparseStyle, nil},
		{"./cmd/gyre", "gyre", gyreStyle, []string{"get"}},
	}
	others = []program{
		{"./cmd/gyre", "gyre", gyreStyle, []string{"simulate"}},
		{"./cmd/gyre", "gyre", gyreStyle, []string{"demo"}},
	}
)

// badCase is one kind of bad input: the arguments, and the exit status
// expected (2, a usage error, unless the problem can only be found when
// listening).
type badCase struct {
	name string
	args []string
	code int
}

// inputs are the files and the port the server cases need.
type inputs struct {
	poem, missing, dir, empty, unreadable, busyPort string
}

func makeInputs(t *testing.T) inputs {
	t.Helper()
	dir := t.TempDir()
	unreadable, _ := poetrytest.UnreadableFile(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	return inputs{
		poem:       poetrytest.PoemFile(t, "orchard"),
		missing:    dir + "/no-such-poem.txt",
		dir:        dir,
		empty:      poetrytest.WriteFile(t, "empty.txt", nil),
		unreadable: unreadable,
		busyPort:   strconv.Itoa(busy.Addr().(*net.TCPAddr).Port),
	}
}

func serverCases(p program, in inputs) []badCase {
	cases := []badCase{
		{"missing file", []string{in.missing}, 2},
		{"unreadable file", []string{in.unreadable}, 2},
		{"directory", []string{in.dir}, 2},
		{"empty file", []string{in.empty}, 2},
		{"port abc", []string{"--port", "abc", in.poem}, 2},
		{"port 70000", []string{"--port", "70000", in.poem}, 2},
		{"port in use", []string{"--port", in.busyPort, in.poem}, 1},
		{"unknown flag", []string{"--no-such-flag", in.poem}, 2},
	}
	if p.style == optparseStyle {
		// The tutorial's servers listen on every interface by default;
		// the busy port is taken on loopback only.
		cases[6].args = append([]string{"--iface", "127.0.0.1"}, cases[6].args...)
		// gyre serve without arguments serves its embedded poems: not
		// an error.
		cases = append(cases, badCase{"no arguments", nil, 2})
	}
	return cases
}

func clientCases(program) []badCase {
	return []badCase{
		{"port abc", []string{"abc"}, 2},
		{"host:abc", []string{"127.0.0.1:abc"}, 2},
		{"port 70000", []string{"70000"}, 2},
		{"host:70000", []string{"localhost:70000"}, 2},
		{"unknown flag", []string{"--no-such-flag", "10000"}, 2},
	}
}

func otherCases(program) []badCase {
	return []badCase{
		{"unknown flag", []string{"--no-such-flag"}, 2},
		{"stray argument", []string{"stray"}, 2},
	}
}

// TestBadArguments runs every program with every kind of bad input it can
// be given.
func TestBadArguments(t *testing.T) {
	in := makeInputs(t)
	type row struct {
		p     program
		cases []badCase
	}
	var rows []row
	for _, p := range servers {
		rows = append(rows, row{p, serverCases(p, in)})
	}
	for _, p := range clients {
		rows = append(rows, row{p, clientCases(p)})
	}
	for _, p := range others {
		rows = append(rows, row{p, otherCases(p)})
	}
	for _, row := range rows {
		p := row.p
		t.Run(p.String(), func(t *testing.T) {
			exe := progtest.Build(t, p.pkg)
			usage := ""
			if p.style == optparseStyle {
				usage = poetrytest.Usage(t, exe)
			}
			for _, c := range row.cases {
				res := progtest.Run(t, runBound, exe, append(append([]string(nil), p.prefix...), c.args...)...)
				checkRefusal(t, p, c, usage, res)
			}
		})
	}
}

// checkRefusal checks one refused run against the rules for p's style.
func checkRefusal(t *testing.T, p program, c badCase, usage string, res progtest.Result) {
	t.Helper()
	fail := func(why string) {
		t.Errorf("%s (%q): %s\nexit %d\nstdout:\n%s\nstderr:\n%s", c.name, c.args, why, res.Code, res.Stdout, res.Stderr)
	}
	if res.Code != c.code {
		fail("wrong exit status, want " + strconv.Itoa(c.code))
	}
	if res.Stdout != "" {
		fail("output on stdout")
	}
	checkNoPanic(t, c.name, res.Stdout+res.Stderr)
	msg := res.Stderr
	if p.style == optparseStyle && c.code == 2 {
		if !strings.HasPrefix(msg, usage) {
			fail("stderr does not start with the usage")
		}
		msg = strings.TrimPrefix(msg, usage)
		if !strings.HasPrefix(msg, p.prog+": error: ") {
			fail("no \"" + p.prog + ": error: \" line after the usage")
		}
	}
	if !strings.HasPrefix(msg, p.prog+": ") || strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") ||
		len(strings.TrimSpace(strings.TrimPrefix(msg, p.prog+": "))) < 10 {
		fail("the error is not one clear line \"" + p.prog + ": ...\"")
	}
}

// checkNoPanic fails the test if out shows a Go panic or a goroutine
// dump.
func checkNoPanic(t *testing.T, what, out string) {
	t.Helper()
	for _, sign := range []string{"panic:", "goroutine "} {
		if strings.Contains(out, sign) {
			t.Errorf("%s: the output shows %q:\n%s", what, sign, out)
		}
	}
}

// The tutorial's clients given no address print their help and exit
// with status 0, as the originals do (optparse's print_help and exit):
// documented behaviour, not an error. gyre get says what it needs.
func TestClientsWithoutArguments(t *testing.T) {
	for _, p := range clients {
		t.Run(p.String(), func(t *testing.T) {
			exe := progtest.Build(t, p.pkg)
			res := progtest.Run(t, runBound, exe, p.prefix...)
			checkNoPanic(t, "no arguments", res.Stdout+res.Stderr)
			if p.style == gyreStyle {
				checkRefusal(t, p, badCase{"no arguments", nil, 2}, "", res)
				return
			}
			help := progtest.Run(t, runBound, exe, "--help").Stdout
			if res.Code != 0 || res.Stdout != help+"\n" || res.Stderr != "" {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 0 and the help", res.Code, res.Stdout, res.Stderr)
			}
		})
	}
}
