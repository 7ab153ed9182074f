package optparse

import (
	"strings"
	"testing"

	"gyre/internal/progtest"
)

// The tutorial's own usage strings, as its Python programs define them, so
// that this package's output can be compared with the reference transcripts
// character for character (the gyre programs use adapted wording).
const (
	refSlowUsage = `usage: %prog [options] poetry-file

This is the Slow Poetry Server, blocking edition.
Run it like this:

  python slowpoetry.py <path-to-poetry-file>

If you are in the base directory of the twisted-intro package,
you could run it like this:

  python blocking-server/slowpoetry.py poetry/ecstasy.txt

to serve up John Donne's Ecstasy, which I know you want to do.
`
	refClientUsage = `usage: %prog [options] [hostname]:port ...

This is the Get Poetry Now! client, blocking edition.
Run it like this:

  python get-poetry.py port1 port2 port3 ...

If you are in the base directory of the twisted-intro package,
you could run it like this:

  python blocking-client/get-poetry.py 10001 10002 10003

to grab poetry from servers on ports 10001, 10002, and 10003.

Of course, there need to be servers listening on those ports
for that to work.
`
)

func refSlowParser() (*Parser, *strings.Builder, *strings.Builder) {
	p, _, _ := newTestParser("slowpoetry.py", refSlowUsage)
	var stdout, stderr strings.Builder
	p.Stdout, p.Stderr = &stdout, &stderr
	p.Int("--port", 0, "The port to listen on. Default to a random available port.")
	p.String("--iface", "localhost", "The interface to listen on. Default is localhost.")
	p.Float("--delay", .7, "The number of seconds between sending bytes.")
	p.Int("--num-bytes", 10, "The number of bytes to send at a time.")
	return p, &stdout, &stderr
}

// TestSlowPoetryReference replays the usage and error runs of the slow
// server's transcript (Runs 1 to 8) through a parser defined as the
// original defines its options.
func TestSlowPoetryReference(t *testing.T) {
	sections := progtest.LoadTranscript(t, "blocking-server__slowpoetry.txt")
	for _, tc := range []struct {
		run  string
		args []string
		// check is the program's own validation after parsing.
		check func(p *Parser, args []string)
	}{
		{"Run 1:", []string{"--help"}, nil},
		{"Run 2:", nil, nil},
		{"Run 3:", []string{"poetry/ecstasy.txt", "poetry/science.txt"}, nil},
		{"Run 4:", []string{"poetry/no-such-poem.txt"}, func(p *Parser, args []string) {
			p.Error("No such file: " + args[0])
		}},
		{"Run 5:", []string{"--port", "abc", "poetry/ecstasy.txt"}, nil},
		{"Run 6:", []string{"--delay", "abc", "poetry/ecstasy.txt"}, nil},
		{"Run 7:", []string{"--num-bytes", "abc", "poetry/ecstasy.txt"}, nil},
		{"Run 8:", []string{"--bogus", "poetry/ecstasy.txt"}, nil},
	} {
		t.Run(tc.run, func(t *testing.T) {
			want := progtest.FindSection(t, sections, tc.run)
			p, stdout, stderr := refSlowParser()
			code := run(func() {
				args := p.Parse(tc.args)
				if len(args) != 1 {
					p.Error("Provide exactly one poetry file.")
				}
				if tc.check != nil {
					tc.check(p, args)
				}
			})
			if code != want.Exit {
				t.Errorf("exit %d, reference %d", code, want.Exit)
			}
			if stdout.String() != want.Stdout() {
				t.Errorf("stdout:\n%s\nreference:\n%s", stdout, want.Stdout())
			}
			if stderr.String() != want.Stderr() {
				t.Errorf("stderr:\n%s\nreference:\n%s", stderr, want.Stderr())
			}
		})
	}
}

// TestClientReference replays the blocking client's usage runs: no
// arguments (help plus a blank line, exit 0), --help, a bad port, an
// unknown option.
func TestClientReference(t *testing.T) {
	sections := progtest.LoadTranscript(t, "blocking-client__get-poetry.txt")
	for _, tc := range []struct {
		run  string
		args []string
	}{
		{"Run 1:", nil},
		{"Run 2:", []string{"--help"}},
		{"Run 3:", []string{"abc"}},
		{"Run 5:", []string{"--bogus", "10001"}},
	} {
		t.Run(tc.run, func(t *testing.T) {
			want := progtest.FindSection(t, sections, tc.run)
			p, _, _ := newTestParser("get-poetry.py", refClientUsage)
			var stdout, stderr strings.Builder
			p.Stdout, p.Stderr = &stdout, &stderr
			code := run(func() {
				args := p.Parse(tc.args)
				if len(args) == 0 {
					p.ExitWithHelp()
				}
				if args[0] == "abc" {
					p.Error("Ports must be integers.")
				}
			})
			if code != want.Exit {
				t.Errorf("exit %d, reference %d", code, want.Exit)
			}
			if stdout.String() != want.Stdout() {
				t.Errorf("stdout:\n%q\nreference:\n%q", stdout.String(), want.Stdout())
			}
			if stderr.String() != want.Stderr() {
				t.Errorf("stderr:\n%s\nreference:\n%s", stderr.String(), want.Stderr())
			}
		})
	}
}
