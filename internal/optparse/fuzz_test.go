package optparse

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseArgs feeds arbitrary command lines (arguments separated by NUL)
// to a parser with every kind of option: it must never panic, and it must
// answer with positional arguments, ErrHelp or a *UsageError.
func FuzzParseArgs(f *testing.F) {
	for _, seed := range []string{
		"", "--port\x0010000\x00poem.txt", "-vp9", "--p=1", "--\x00--port", "-", "--pr", "-é", "--delay\x00nan", "-h",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p, _, _ := newTestParser("prog", "")
		p.Int("-p, --port", 0, "")
		p.Float("--delay", 0, "")
		p.String("-n, --name", "", "")
		p.Bool("-v, --verbose", "")
		p.Bool("--print", "")
		var args []string
		if line != "" {
			args = strings.Split(line, "\x00")
		}
		rest, err := p.ParseArgs(args)
		var ue *UsageError
		switch {
		case err == nil:
			if len(rest) > len(args) {
				t.Fatalf("%q: %d positional arguments from %d", args, len(rest), len(args))
			}
		case errors.Is(err, ErrHelp), errors.As(err, &ue) && ue.Msg != "":
		default:
			t.Fatalf("%q: unexpected error %#v", args, err)
		}
	})
}

// FuzzParsePyInt checks that whatever the integer reader accepts, it reads
// back the same from its decimal form.
func FuzzParsePyInt(f *testing.F) {
	for _, seed := range []string{"0", "010", "0x1f", "0b101", "-5", " 7 ", "1_000", "08", "0b-1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parsePyInt(s)
		if !ok {
			return
		}
		if m, ok := pyIntBase(strconv.Itoa(n), 10); !ok || int(m) != n {
			t.Fatalf("%q -> %d, read back as %d, %v", s, n, m, ok)
		}
	})
}

// FuzzParsePyFloat checks that the float reader never panics and agrees
// with strconv on what it accepts.
func FuzzParsePyFloat(f *testing.F) {
	for _, seed := range []string{"0.1", "1e-3", ".5", "5.", "inf", "-nan", "1_0.5", "0x10", "1e999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parsePyFloat(s)
		if !ok {
			return
		}
		w, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 64)
		if err != nil && !isRangeErr(err) && !strings.Contains(strings.ToLower(s), "nan") {
			t.Fatalf("%q accepted as %v but strconv says %v", s, v, err)
		}
		if v == v && w == w && v != w {
			t.Fatalf("%q: %v, strconv %v", s, v, w)
		}
	})
}
