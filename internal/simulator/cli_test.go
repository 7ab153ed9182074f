package simulator

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const wantUsage = `Usage: deferred-simulator
A Deferred simulator. Use this to see how a particular
set of callbacks and errbacks will fire in a deferred.
`

const wantHelp = wantUsage + `
Options:
  -h, --help  show this help message and exit
  --narrow    draw all three chains in one column
`

func runMain(args []string, stdin string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main("deferred-simulator", args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMainHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--he"}, {"--h"}, {"-hx"}, {"--narrow", "--help"}, {"extra", "-h"}} {
		code, out, errOut := runMain(args, "")
		if code != 0 || out != wantHelp || errOut != "" {
			t.Errorf("%q: status %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestMainUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"extra"}, "No arguments supported."},
		{[]string{"-"}, "No arguments supported."},
		{[]string{""}, "No arguments supported."},
		{[]string{"--", "--help"}, "No arguments supported."},
		{[]string{"--narrow", "x"}, "No arguments supported."},
		{[]string{"--wide"}, "no such option: --wide"},
		{[]string{"x", "--wide"}, "no such option: --wide"},
		{[]string{"--wide", "--help"}, "no such option: --wide"},
		{[]string{"---"}, "no such option: ---"},
		{[]string{"--NARROW"}, "no such option: --NARROW"},
		{[]string{"-x"}, "no such option: -x"},
		{[]string{"-xh"}, "no such option: -x"},
		{[]string{"-n"}, "no such option: -n"},
		{[]string{"-é"}, "no such option: -é"},
		{[]string{"-\xff"}, `no such option: -\udcff`},
		{[]string{"--narrow=1"}, "--narrow option does not take a value"},
		{[]string{"--nar="}, "--narrow option does not take a value"},
		{[]string{"--help=x"}, "--help option does not take a value"},
		{[]string{"--=x"}, "ambiguous option: -- (--help, --narrow?)"},
	} {
		code, out, errOut := runMain(tt.args, "")
		want := wantUsage + "\ndeferred-simulator: error: " + tt.msg + "\n"
		if code != 2 || out != "" || errOut != want {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2, stderr %q", tt.args, code, out, errOut, want)
		}
	}
}

func TestMainRuns(t *testing.T) {
	input := "r ab p\n\n"
	var narrow, wide bytes.Buffer
	if err := Run(strings.NewReader(input), &narrow, true); err != nil {
		t.Fatal(err)
	}
	if err := Run(strings.NewReader(input), &wide, false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, wide.String()},
		{[]string{"--narrow"}, narrow.String()},
		{[]string{"--n"}, narrow.String()},
		{[]string{"--narrow", "--narrow", "--"}, narrow.String()},
	} {
		code, out, errOut := runMain(tt.args, input)
		if code != 0 || out != tt.want || errOut != "" {
			t.Errorf("%q: status %d, stderr %q, stdout as expected: %v", tt.args, code, errOut, out == tt.want)
		}
	}
}

// failingWriter fails every write, like a closed stdout.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errClosed }

var errClosed = errors.New("stdout is closed")

func TestMainWriteError(t *testing.T) {
	var errOut bytes.Buffer
	code := Main("deferred-simulator", nil, strings.NewReader("r a p\n\n"), failingWriter{}, &errOut)
	if code != 1 || !strings.HasPrefix(errOut.String(), "deferred-simulator: ") {
		t.Errorf("status %d, stderr %q", code, errOut.String())
	}
}
