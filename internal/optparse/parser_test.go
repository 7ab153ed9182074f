package optparse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParseArgsReturnsErrorsInsteadOfExiting(t *testing.T) {
	p, stdout, stderr := newTestParser("prog", "%prog [options] FILE")
	port := p.Int("--port", 0, "The port.")
	verbose := p.Bool("-v, --verbose", "Talk.")

	args, err := p.ParseArgs([]string{"f1", "--port", "10000", "-v", "f2"})
	if err != nil || strings.Join(args, " ") != "f1 f2" || *port != 10000 || !*verbose {
		t.Fatalf("got %q %v port=%d verbose=%v", args, err, *port, *verbose)
	}
	if !p.Changed("--port") || !p.Changed("-v") || p.Changed("--help") || p.Changed("port") {
		t.Error("Changed does not report what was given")
	}

	_, err = p.ParseArgs([]string{"--help"})
	if !errors.Is(err, ErrHelp) {
		t.Errorf("--help: %v, want ErrHelp", err)
	}
	_, err = p.ParseArgs([]string{"--port", "x"})
	var ue *UsageError
	if !errors.As(err, &ue) || ue.Msg != "option --port: invalid integer value: 'x'" {
		t.Errorf("bad port: %#v", err)
	}
	if stdout.Len()+stderr.Len() != 0 {
		t.Errorf("ParseArgs printed something: %q %q", stdout, stderr)
	}
}

func TestExitWithHelpAddsABlankLine(t *testing.T) {
	p, stdout, _ := newTestParser("prog", "%prog [options] ADDR ...")
	if code := run(p.ExitWithHelp); code != 0 {
		t.Errorf("exit %d", code)
	}
	want := "Usage: prog [options] ADDR ...\n\nOptions:\n  -h, --help  show this help message and exit\n\n"
	if stdout.String() != want {
		t.Errorf("got %q\nwant %q", stdout, want)
	}
}

func TestErrorf(t *testing.T) {
	p, _, stderr := newTestParser("prog", "")
	if code := run(func() { p.Errorf("No such file: %s", "x.txt") }); code != 2 {
		t.Errorf("exit %d", code)
	}
	if want := "Usage: prog [options]\n\nprog: error: No such file: x.txt\n"; stderr.String() != want {
		t.Errorf("got %q want %q", stderr, want)
	}
}

func TestWidthFromColumns(t *testing.T) {
	help := strings.Repeat("one two three four five six seven eight nine ten eleven twelve ", 2)
	// Line counts from Python 3.11's optparse with the same COLUMNS.
	for _, tc := range []struct {
		columns string
		lines   int
	}{{"", 2}, {"200", 1}, {"40", 6}, {"junk", 2}} {
		t.Setenv("COLUMNS", tc.columns)
		p, _, _ := newTestParser("prog", "")
		p.Width = 0 // what optparse would pick
		p.String("--opt", "", help)
		opts := p.FormatHelp()[strings.Index(p.FormatHelp(), "  --opt"):]
		if got := strings.Count(opts, "\n"); got != tc.lines {
			t.Errorf("COLUMNS=%q: help on %d lines, want %d:\n%s", tc.columns, got, tc.lines, opts)
		}
	}
}

func TestBadDefinitionsPanic(t *testing.T) {
	for _, names := range []string{"port", "-port", "-p", "---port", "--port --other", "-p -q --port", "--help", "-h, --hold"} {
		t.Run(names, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%q accepted", names)
				}
			}()
			p, _, _ := newTestParser("prog", "")
			p.Int(names, 0, "")
		})
	}
}

func TestPyRepr(t *testing.T) {
	for in, want := range map[string]string{
		"abc":        `'abc'`,
		"it's":       `"it's"`,
		`a'b"c`:      `'a\'b"c'`,
		"tab\there":  `'tab\there'`,
		"\x00\x7f":   `'\x00\x7f'`,
		"café":       `'café'`,
		"\u00a0":     `'\xa0'`,
		"\u2028":     `'\u2028'`,
		"\xff":       `'\udcff'`,
		"😀":          `'😀'`,
		"\U000e0001": `'\U000e0001'`,
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParsePyIntLimits(t *testing.T) {
	// The limits of Go's int, whatever its size on this platform.
	for in, want := range map[string]int{
		strconv.Itoa(math.MaxInt):       math.MaxInt,
		strconv.Itoa(math.MinInt):       math.MinInt,
		fmt.Sprintf("%#x", math.MaxInt): math.MaxInt,
	} {
		if got, ok := parsePyInt(in); !ok || got != want {
			t.Errorf("parsePyInt(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"9223372036854775808", "-9223372036854775809", "0x10000000000000000", "", " ", "+", "0x", "1_", "1__0"} {
		if _, ok := parsePyInt(in); ok {
			t.Errorf("parsePyInt(%q) accepted", in)
		}
	}
}

func TestPyFloatStr(t *testing.T) {
	for f, want := range map[float64]string{
		0.1: "0.1", 10: "10.0", 1e16: "1e+16", 1.5e-5: "1.5e-05", 0.0001: "0.0001", -2.5: "-2.5",
		math.Inf(1): "inf", math.Inf(-1): "-inf",
	} {
		if got := pyFloatStr(f); got != want {
			t.Errorf("pyFloatStr(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestWrapLikeTextwrap(t *testing.T) {
	// Expected values from Python 3.11's textwrap.wrap.
	for _, tc := range []struct {
		text  string
		width int
		want  []string
	}{
		{"The port to listen on. Default to a random available port.", 54,
			[]string{"The port to listen on. Default to a random available", "port."}},
		{"a well-known hyphenated-word", 12, []string{"a well-known", "hyphenated-", "word"}},
		{"a well-known hyphenated-word", 10, []string{"a well-", "known hyph", "enated-", "word"}},
		{"x-ray and e-mail", 4, []string{"x-", "ray", "and ", "e-", "mail"}},
		{"", 10, nil},
		{"   ", 10, nil},
		{"  leading", 20, []string{"  leading"}},
		{"abcdefghij", 3, []string{"abc", "def", "ghi", "j"}},
		{"über-groß naïve", 6, []string{"über-", "groß", "naïve"}},
	} {
		got := wrap(tc.text, tc.width, "", "")
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}
