package robustness

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/examples/internal/poetrytest"
	"gyre/internal/progtest"
	"gyre/poetry"
)

// The start of a poem that a server resets in the middle: what a client
// has of it is not a poem and must never be printed as one.
const halfPoem = "The first half of a poem, cut off in the midd"

// clientKind says how a tutorial client shows its outcome, which decides
// what TestClientsAgainstBrokenServers can expect of it.
type clientKind struct {
	args       []string // options that make it print the poems
	printsPoem bool     // the good poem appears on stdout
	code       int      // the exit status: the original's
	crashes    bool     // a stack trace and the error, exit 1, as the original's traceback
	waits      bool     // waits for ever after a failure (client 3.0)
	stack      bool     // prints a stack trace and stops (the -stack lessons)
}

// kinds are the tutorial clients' kinds, by package; gyre get has its own
// tests of the same faults (cmd/gyre/get_faults_test.go).
var kinds = map[string]clientKind{
	"./examples/blocking-client":                    {crashes: true, code: 1},
	"./examples/async-client":                       {crashes: true, code: 1},
	"./examples/twisted-client-1/get-poetry":        {crashes: true, code: 1},
	"./examples/twisted-client-1/get-poetry-broken": {crashes: true, code: 1},
	"./examples/twisted-client-2/get-poetry":        {args: []string{"--print"}, printsPoem: true},
	"./examples/twisted-client-2/get-poetry-simple": {printsPoem: true},
	"./examples/twisted-client-2/get-poetry-stack":  {stack: true},
	"./examples/twisted-client-3/get-poetry":        {waits: true},
	"./examples/twisted-client-3/get-poetry-1":      {printsPoem: true},
	"./examples/twisted-client-4/get-poetry":        {printsPoem: true},
	"./examples/twisted-client-4/get-poetry-stack":  {stack: true},
	// Client 5's Cummingsify draws an outcome for each poem received;
	// seed 0 draws success first (lower case: the checks ignore case),
	// where a draw of GibberishError would fail the good poem too.
	"./examples/twisted-client-5/get-poetry":   {args: []string{"--seed", "0"}, printsPoem: true},
	"./examples/twisted-client-5/get-poetry-1": {args: []string{"--seed", "0"}, printsPoem: true},
}

// TestClientsAgainstBrokenServers runs every tutorial client on a mix of
// addresses: a server that resets the connection in the middle of a poem,
// a host name that does not resolve, a port that refuses, and a good
// server. No client panics or hangs, but for client 3.0, which waits for
// ever as the original does and is interrupted; none prints the half poem;
// those that print poems print the good one; the clients whose originals
// crash on the first failure crash the same way (a stack trace and the
// error, exit status 1), the others exit as their originals do, 0 (the
// -stack lessons stop at the first data they get).
func TestClientsAgainstBrokenServers(t *testing.T) {
	poem, err := poetry.Poem("orchard")
	if err != nil {
		t.Fatal(err)
	}
	good := "127.0.0.1:" + poetrytest.StartSlowServer(t, poem, len(poem), 0).Port
	reset := poetrytest.StartResettingServer(t, halfPoem)
	refused := poetrytest.RefusedAddr(t)
	// .invalid never resolves (RFC 2606); Go's resolver still asks the
	// name server, so the reason printed varies by machine.
	const unresolvable = "nonexistent.invalid:10000"
	for _, p := range clients {
		kind, ok := kinds[p.pkg]
		if !ok {
			if p.style != gyreStyle {
				t.Errorf("%s: no kind in the table", p)
			}
			continue
		}
		t.Run(p.String(), func(t *testing.T) {
			exe := progtest.Build(t, p.pkg)
			args := append(append([]string(nil), kind.args...), reset, unresolvable, refused, good)
			var res progtest.Result
			if kind.waits {
				proc := progtest.Start(t, exe, args...)
				// Only time shows that it waits; the test that it waits
				// longer is client 3's own.
				time.Sleep(time.Second)
				if !proc.Running() {
					t.Errorf("exited instead of waiting")
				}
				res = proc.Signal(syscall.SIGINT)
			} else {
				res = progtest.Run(t, runBound, exe, args...)
			}
			out := res.Stdout + res.Stderr
			switch {
			case kind.crashes:
				if res.Code != 1 || strings.Contains(out, "panic:") || !strings.Contains(res.Stderr, "goroutine ") ||
					!strings.Contains(res.Stderr, "\nmain.main()\n") {
					t.Errorf("exit %d, want 1 and a stack trace\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
				}
			case kind.stack:
				if strings.Contains(out, "panic:") {
					t.Errorf("a panic:\n%s", out)
				}
			default:
				checkNoPanic(t, "broken servers", out)
			}
			if strings.Contains(strings.ToLower(res.Stdout), strings.ToLower(halfPoem)) {
				t.Errorf("the half poem was printed:\n%s", res.Stdout)
			}
			if kind.printsPoem && !strings.Contains(strings.ToLower(res.Stdout), strings.ToLower(string(poem))) {
				t.Errorf("the good poem is missing:\nstdout:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
			}
			if !kind.stack && res.Code != kind.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.Code, kind.code, res.Stdout, res.Stderr)
			}
		})
	}
}
