package simulator

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

func TestParseLineValid(t *testing.T) {
	ret := func(v string) Handler { return Handler{Op: Return, Value: v} }
	fail := func(v string) Handler { return Handler{Op: Fail, Value: v} }
	pass := Handler{Op: Passthru}
	tests := []struct {
		line string
		want Pair
	}{
		{"r good f bad", Pair{ret("good"), fail("bad")}},
		{"f googly p", Pair{fail("googly"), pass}},
		{"return a passthru", Pair{ret("a"), pass}},
		{"RET A pa", Pair{ret("A"), pass}},
		{"rEtUrN x FaIl Y", Pair{ret("x"), fail("Y")}},
		{"p p", Pair{pass, pass}},
		{"r p p", Pair{ret("p"), pass}},                                    // a value may look like a command
		{"  \tr  a \x1c p \r", Pair{ret("a"), pass}},                       // Python whitespace, CR included
		{"r\u00a0a\u3000p\u2028", Pair{ret("a"), pass}},                    // Unicode spaces separate too
		{"r éééééé p", Pair{ret("éééééé"), pass}},                          // 6 characters, 12 bytes
		{"f \xff\xfe\xfd r \x00", Pair{fail("\xff\xfe\xfd"), ret("\x00")}}, // bytes kept as they are
		{"r 123456 f 654321", Pair{ret("123456"), fail("654321")}},
	}
	for _, tt := range tests {
		got, err := ParseLine(tt.line)
		if err != nil || got != tt.want {
			t.Errorf("ParseLine(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct{ line, msg string }{
		{"", "missing command"},
		{"   ", "missing command"},
		{"\t\r", "missing command"},
		{"r a", "missing command"},
		{"p", "missing command"},
		{"r", "missing argument"},
		{"p r", "missing argument"},
		{"f", "missing argument"},
		{"r a p x", "extra arguments"},
		{"p p p", "extra arguments"},
		{"XYZ 1 p", "bad command: xyz"},
		{"returns a p", "bad command: returns"},
		{"passthrough", "bad command: passthrough"},
		{"fails a p", "bad command: fails"},
		{"rp a p", "bad command: rp"},
		{"pr", "bad command: pr"},
		{"p toolongvalue", "bad command: toolongvalue"}, // read as the errback's command
		{"r a XX", "bad command: xx"},
		{"ΣΑΣ x p", "bad command: σας"},   // Python's final sigma
		{"İ x p", "bad command: i\u0307"}, // and its full lower-case mapping
		{"r abcdefg p", "('result more than 6 chars long', 'abcdefg')"},
		{"p r toolong7", "('result more than 6 chars long', 'toolong7')"},
		{"r it's_long p", `('result more than 6 chars long', "it's_long")`},
		{`r a'b"cdef p`, `('result more than 6 chars long', 'a\'b"cdef')`},
		{`r say"hi"x p`, `('result more than 6 chars long', 'say"hi"x')`},
		{`r back\slash p`, `('result more than 6 chars long', 'back\\slash')`},
		{"r \x01abcdefg p", `('result more than 6 chars long', '\x01abcdefg')`},
		{"r \x7fabcdefg p", `('result more than 6 chars long', '\x7fabcdefg')`},
		{"r \xffabcdefg p", `('result more than 6 chars long', '\udcffabcdefg')`},
		{"r ééééééé p", "('result more than 6 chars long', 'ééééééé')"},
		{"r a\u200bbcdefg p", `('result more than 6 chars long', 'a\u200bbcdefg')`},
		{"r \U0001FAE8abcdef p", `('result more than 6 chars long', '\U0001fae8abcdef')`}, // newer than Python's Unicode 14
		{"r \U0001F600abcdef p", "('result more than 6 chars long', '\U0001F600abcdef')"},
		{"r toolong1 x", "('result more than 6 chars long', 'toolong1')"}, // first error wins
	}
	for _, tt := range tests {
		_, err := ParseLine(tt.line)
		if err == nil {
			t.Errorf("ParseLine(%q): no error, want %q", tt.line, tt.msg)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseLine(%q) error = %q, want %q", tt.line, err, tt.msg)
		}
	}
}

func TestParseLineErrorTypes(t *testing.T) {
	if _, err := ParseLine("r"); !errors.Is(err, ErrMissingArgument) {
		t.Errorf("r: %v, want ErrMissingArgument", err)
	}
	if _, err := ParseLine("r a p x"); !errors.Is(err, ErrExtraArguments) {
		t.Errorf("r a p x: %v, want ErrExtraArguments", err)
	}
	if _, err := ParseLine(" "); !errors.Is(err, ErrMissingCommand) {
		t.Errorf("blank: %v, want ErrMissingCommand", err)
	}
	_, err := ParseLine("Zap a p")
	if bc, ok := errors.AsType[*BadCommandError](err); !ok || bc.Command != "zap" {
		t.Errorf("Zap: %v, want *BadCommandError{zap}", err)
	}
	_, err = ParseLine("r Abcdefg p")
	if tl, ok := errors.AsType[*ValueTooLongError](err); !ok || tl.Value != "Abcdefg" {
		t.Errorf("r Abcdefg p: %v, want *ValueTooLongError{Abcdefg}", err)
	}
}

// TestParseLineAbbreviations tries every prefix of every command word, in
// lower, upper and mixed case, and a few near misses.
func TestParseLineAbbreviations(t *testing.T) {
	for _, c := range []struct {
		word string
		op   Op
	}{{"return", Return}, {"fail", Fail}, {"passthru", Passthru}} {
		for n := 1; n <= len(c.word); n++ {
			prefix := c.word[:n]
			mixed := []byte(prefix)
			for i := 0; i < len(mixed); i += 2 {
				mixed[i] -= 'a' - 'A'
			}
			for _, tok := range []string{prefix, strings.ToUpper(prefix), string(mixed)} {
				line := tok + " v " + tok + " w"
				if c.op == Passthru {
					line = tok + " " + tok
				}
				p, err := ParseLine(line)
				if err != nil {
					t.Errorf("%q: %v", tok, err)
					continue
				}
				if p.Callback.Op != c.op || p.Errback.Op != c.op {
					t.Errorf("%q parsed as %v/%v, want %v", tok, p.Callback.Op, p.Errback.Op, c.op)
				}
			}
		}
		for _, bad := range []string{c.word + "s", c.word[:1] + "x", "x" + c.word} {
			if _, err := ParseLine(bad + " v p"); err == nil || err.Error() != "bad command: "+bad {
				t.Errorf("%q: got %v, want bad command", bad, err)
			}
		}
	}
}

func TestHandlerCaption(t *testing.T) {
	for h, want := range map[Handler]string{
		{Op: Return, Value: "ab"}:  "return ab",
		{Op: Fail, Value: "x"}:     "fail x",
		{Op: Passthru}:             "passthru",
		{Op: Passthru, Value: "z"}: "passthru",
	} {
		if got := h.Caption(); got != want {
			t.Errorf("%+v.Caption() = %q, want %q", h, got, want)
		}
	}
}

// A pair's values are copies: a value that pointed into its line kept the
// whole line alive with the chain (1000 pairs on lines padded to 64 KiB
// held 126 MB instead of 18 MB in gyre simulate).
func TestParseLineValuesDoNotHoldTheLine(t *testing.T) {
	line := "r ab f cd" + strings.Repeat(" ", 1000)
	p, err := ParseLine(line)
	if err != nil {
		t.Fatal(err)
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(line)))
	for _, v := range []string{p.Callback.Value, p.Errback.Value} {
		at := uintptr(unsafe.Pointer(unsafe.StringData(v)))
		if at >= start && at < start+uintptr(len(line)) {
			t.Errorf("value %q points into its line", v)
		}
	}
}
