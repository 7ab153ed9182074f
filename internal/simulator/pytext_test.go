package simulator

import (
	"slices"
	"testing"
	"unicode"
)

func TestIsPySpace(t *testing.T) {
	for _, r := range "\t\n\v\f\r \x1c\x1d\x1e\x1f\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000" {
		if !isPySpace(r) {
			t.Errorf("isPySpace(%U) = false", r)
		}
	}
	for _, r := range "a\x00\x1b\x7f\u200b\u180e\ufeff\ufffd" {
		if isPySpace(r) {
			t.Errorf("isPySpace(%U) = true", r)
		}
	}
}

func TestPyFields(t *testing.T) {
	got := pyFields(" a\x1fb\u3000\xffc\u00a0 \r")
	if want := []string{"a", "b", "\xffc"}; !slices.Equal(got, want) {
		t.Errorf("pyFields = %q, want %q", got, want)
	}
	if got := pyFields(" \t "); len(got) != 0 {
		t.Errorf("pyFields(blank) = %q", got)
	}
}

func TestPyLen(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "éé": 2, "\xff\xfe": 2, "a\xe2\x82": 3, "😀": 1} {
		if got := pyLen(s); got != want {
			t.Errorf("pyLen(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestPyLower(t *testing.T) {
	for in, want := range map[string]string{
		"ReTuRn": "return",
		"ÉCOLE":  "école",
		"İ":      "i\u0307",
		"Σ":      "σ",   // nothing cased before it
		"ΑΣ":     "ας",  // end of a word
		"ΑΣΑ":    "ασα", // inside a word
		"ΑΣ.":    "ας.", // '.' is case-ignorable
		"Α'Σ":    "α'ς",
		"ΑΣ'Α":   "ασ'α",
		"\xffA":  "\xffa", // undecodable bytes pass through
		"\u212a": "k",     // Kelvin sign
	} {
		if got := pyLower(in); got != want {
			t.Errorf("pyLower(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	for in, want := range map[string]string{
		"abc":        `'abc'`,
		"it's":       `"it's"`,
		`say "x"`:    `'say "x"'`,
		`a'b"c`:      `'a\'b"c'`,
		`back\slash`: `'back\\slash'`,
		"\x00\x1b":   `'\x00\x1b'`,
		"\x7f":       `'\x7f'`,
		"\u0085":     `'\x85'`,
		"\u00ad":     `'\xad'`,
		"é€":         "'é€'",
		"\u200b":     `'\u200b'`,
		"\ue000":     `'\ue000'`,
		"\U0001fae8": `'\U0001fae8'`, // unassigned in Unicode 14
		"\U0001f600": "'\U0001f600'",
		"\xff":       `'\udcff'`,
		"\t\r\n":     `'\t\r\n'`,
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestUnicodeVersion guards the table of characters newer than Python 3.11's
// Unicode 14.0, which was made against Go's Unicode 15.0.0 tables. A newer Go
// with newer tables needs the table extended (compare Python 3.11's
// unicodedata.category with Go's categories over all code points).
func TestUnicodeVersion(t *testing.T) {
	if unicode.Version != "15.0.0" {
		t.Errorf("unicode.Version = %s: extend assignedSinceUnicode14 for the characters added since 15.0.0", unicode.Version)
	}
}

func TestPyRunesRoundTrip(t *testing.T) {
	for _, s := range []string{"", "abc", "é\xff\xfe€", "\xe2\x82", "\xed\xa0\x80"} {
		if got := pyString(pyRunes(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
	if got := pyRunes("a\xe2\x82b"); !slices.Equal(got, []rune{'a', 0xDCE2, 0xDC82, 'b'}) {
		t.Errorf("pyRunes = %U", got)
	}
}
