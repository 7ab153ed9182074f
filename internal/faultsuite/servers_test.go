package faultsuite

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/reactor"
)

// server is one kind of poetry server under test.
type server struct {
	name string
	pkg  string // main package, relative to the module root
	// args are the program's arguments to serve poem on a port the
	// system chooses.
	args func(poem string, s slowness) []string
	// logs: the server logs one JSON record per client (gyre serve).
	logs bool
	slow bool
}

// slowness is the pace of a slow server: numBytes every delay.
type slowness struct {
	numBytes int
	delay    time.Duration
}

var (
	gyreFast = server{name: "gyre-fast", pkg: "./cmd/gyre", logs: true,
		args: func(poem string, _ slowness) []string {
			return []string{"serve", "--port", "0", "--iface", "127.0.0.1", "--log-format", "json", poem}
		}}
	gyreSlow = server{name: "gyre-slow", pkg: "./cmd/gyre", logs: true, slow: true,
		args: func(poem string, s slowness) []string {
			return []string{"serve", "--port", "0", "--iface", "127.0.0.1", "--log-format", "json",
				"--slow", "--num-bytes", strconv.Itoa(s.numBytes), "--delay", s.delay.String(), poem}
		}}
	fastpoetry = server{name: "fastpoetry", pkg: "./examples/twisted-server-1/fastpoetry",
		args: func(poem string, _ slowness) []string {
			return []string{"--port", "0", "--iface", "127.0.0.1", poem}
		}}
	fastpoetrySlow = server{name: "fastpoetry-slow", pkg: "./examples/twisted-server-1/fastpoetry-exercise-3", slow: true,
		args: func(poem string, s slowness) []string {
			return []string{"--port", "0", "--iface", "127.0.0.1",
				"--num-bytes", strconv.Itoa(s.numBytes), "--delay", strconv.FormatFloat(s.delay.Seconds(), 'f', -1, 64), poem}
		}}
)

// running is a server process under test.
type running struct {
	*progtest.Proc
	addr string
}

// servingLine matches both programs' "Serving" lines: gyre's
// "Serving P on 127.0.0.1:N." and fastpoetry's Twisted-style
// "Serving P on IPv4Address(type='TCP', host='127.0.0.1', port=N)."
var servingLine = regexp.MustCompile(`^Serving .* on (?:127\.0\.0\.1:(\d+)|IPv4Address\(.*port=(\d+)\))\.$`)

// startOpts adjust how a server is started.
type startOpts struct {
	slow   slowness
	nofile int      // descriptor limit (soft and hard) once serving; 0 leaves it alone
	extra  []string // more arguments, before the poem
}

// start runs srv on backend serving poem, and waits for its port.
func start(t *testing.T, srv server, backend, poem string, o startOpts) *running {
	t.Helper()
	exe := progtest.Build(t, srv.pkg)
	args := srv.args(poem, o.slow)
	if len(o.extra) > 0 {
		// Options go before the poem (the last argument).
		n := len(args) - 1
		args = append(append(append([]string{}, args[:n]...), o.extra...), args[n])
	}
	env := progtest.Options{Env: []string{reactor.BackendEnv + "=" + backend}}
	p := progtest.StartWith(t, env, exe, args...)
	m := p.WaitLine(servingLine, 30*time.Second)
	if o.nofile > 0 {
		// Lowered once the server serves, not before it starts: gyre
		// serve sizes --max-conns by the limit it starts with and
		// refuses more, so under a limit set before it would reset the
		// clients beyond instead of running out of descriptors.
		setNofile(t, p.Pid(), o.nofile)
	}
	port := m[1] + m[2]
	return &running{Proc: p, addr: net.JoinHostPort("127.0.0.1", port)}
}

// backends lists the reactor backends to run every server on.
func backends() []string { return reactor.Backends() }

// writePoem writes a poem of n bytes (printable lines, different for
// every seed) in a temporary directory and returns its path and content.
func writePoem(t *testing.T, n int, seed int) (string, []byte) {
	t.Helper()
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "stanza %d, line %d: the falcon cannot hear the falconer (%x)\n", seed, i, i*7919+seed)
	}
	data := []byte(b.String()[:n])
	path := filepath.Join(t.TempDir(), fmt.Sprintf("poem-%d.txt", seed))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// record is one JSON log record of gyre serve.
type record map[string]any

func (r record) str(k string) string { s, _ := r[k].(string); return s }
func (r record) num(k string) int64  { f, _ := r[k].(float64); return int64(f) }

// records parses gyre serve's JSON log (its stderr); lines that are not
// JSON (there should be none) fail the test.
func records(t *testing.T, stderr string) []record {
	t.Helper()
	var out []record
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		out = append(out, r)
	}
	return out
}

// outcomes counts the "served" records by outcome.
func outcomes(recs []record) map[string]int {
	m := map[string]int{}
	for _, r := range recs {
		if r.str("msg") == "served" {
			m[r.str("outcome")]++
		}
	}
	return m
}

// find returns the first record with msg, or nil.
func find(recs []record, msg string) record {
	for _, r := range recs {
		if r.str("msg") == msg {
			return r
		}
	}
	return nil
}

// stopClean stops the server with SIGTERM and checks it exits 0.
func stopClean(t *testing.T, s *running) progtest.Result {
	t.Helper()
	res := s.Stop()
	if res.Code != 0 {
		t.Errorf("server exit status %d (signal %v) after SIGTERM, want 0\nstderr (end):\n%s", res.Code, res.Signal, tail(res.Stderr, 2000))
	}
	return res
}

// tail is the end of a long output, for failure messages.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
