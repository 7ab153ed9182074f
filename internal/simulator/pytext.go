package simulator

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The original program is a Python 3.11 script run under a UTF-8 locale, so
// its idea of "a character", "whitespace", "lower case" and "printable" is
// Python's. The helpers in this file reproduce exactly the parts of Python's
// string semantics that reach the output, so that odd input (tabs, non-ASCII
// letters, bytes that are not UTF-8) is treated the way the original treats it.
//
// Text is kept as Go strings holding the raw input bytes. Python reads stdin
// with the "surrogateescape" error handler in a UTF-8 locale: every byte that
// is not part of valid UTF-8 becomes one lone surrogate U+DC80..U+DCFF, counts
// as one character, and is written back to stdout as the same byte. Go's
// utf8 decoder reports such bytes one at a time as RuneError with size 1,
// which is the same per-byte split, so counting runes with utf8.RuneCount
// gives Python's len().

// surrogateBase is where Python's surrogateescape handler puts an undecodable
// byte b: it becomes the code point surrogateBase+b.
const surrogateBase = 0xDC00

// pyRunes decodes s into Python's code points: valid UTF-8 as usual, every
// undecodable byte b as the lone surrogate U+DC00+b.
func pyRunes(s string) []rune {
	rs := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = surrogateBase + rune(s[i])
		}
		rs = append(rs, r)
		i += size
	}
	return rs
}

// isEscapedByte reports whether r is a surrogate standing for an undecodable
// input byte (see pyRunes).
func isEscapedByte(r rune) bool {
	return r >= surrogateBase+0x80 && r <= surrogateBase+0xFF
}

// appendPyRune appends r to dst as Python's stdout would encode it: UTF-8,
// except that an escaped byte goes back out as that byte.
func appendPyRune(dst []byte, r rune) []byte {
	if isEscapedByte(r) {
		return append(dst, byte(r-surrogateBase))
	}
	return utf8.AppendRune(dst, r)
}

// pyString is the inverse of pyRunes.
func pyString(rs []rune) string {
	b := make([]byte, 0, len(rs))
	for _, r := range rs {
		b = appendPyRune(b, r)
	}
	return string(b)
}

// pyLen is Python's len() of the text whose raw bytes are s.
func pyLen(s string) int { return utf8.RuneCountInString(s) }

// isPySpace reports whether Python's str.isspace accepts r, which is what
// str.split() splits on. Python's set is Unicode's White_Space property (Go's
// unicode.IsSpace) plus the ASCII separators FS, GS, RS and US.
func isPySpace(r rune) bool {
	if r >= 0x1C && r <= 0x1F {
		return true
	}
	return unicode.IsSpace(r)
}

// pyFields splits s like Python's s.split() with no arguments: at runs of
// whitespace, ignoring leading and trailing whitespace, never yielding an
// empty token. Undecodable bytes are never whitespace.
func pyFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		// FieldsFunc hands us RuneError for an undecodable byte; RuneError
		// is not whitespace, so that byte stays inside its token.
		return isPySpace(r)
	})
}

// pyLower is Python's str.lower(): full Unicode lower-case mapping, which
// differs from per-rune simple mapping in two places: U+0130 (capital I with
// dot above) becomes two code points, and capital sigma becomes the final
// form ς at the end of a word.
func pyLower(s string) string {
	rs := pyRunes(s)
	out := make([]rune, 0, len(rs))
	for i, r := range rs {
		switch {
		case r == 'İ':
			out = append(out, 'i', '\u0307')
		case r == 'Σ':
			if isFinalSigma(rs, i) {
				out = append(out, 'ς')
			} else {
				out = append(out, 'σ')
			}
		case isEscapedByte(r):
			out = append(out, r)
		default:
			out = append(out, unicode.ToLower(r))
		}
	}
	return pyString(out)
}

// isFinalSigma implements Unicode's Final_Sigma condition for the capital
// sigma at rs[i], as Python applies it: a cased letter comes before it
// (skipping case-ignorable characters) and none comes after it (likewise).
func isFinalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && isCaseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !isCased(rs[j]) {
		return false
	}
	j = i + 1
	for j < len(rs) && isCaseIgnorable(rs[j]) {
		j++
	}
	return j == len(rs) || !isCased(rs[j])
}

// isCased is Unicode's derived property Cased: Lowercase, Uppercase or
// titlecase letters.
func isCased(r rune) bool {
	return !assignedAfterUnicode14(r) && unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt,
		unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// isCaseIgnorable is Unicode's derived property Case_Ignorable: marks,
// format characters, modifier letters and symbols, and the characters whose
// Word_Break value is MidLetter, MidNumLet or Single_Quote (listed here
// because Go has no Word_Break table).
func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '\u00B7', '\u0387', '\u055F', '\u05F4',
		'\u2018', '\u2019', '\u2024', '\u2027',
		'\uFE13', '\uFE52', '\uFE55', '\uFF07', '\uFF0E', '\uFF1A':
		return true
	}
	return !assignedAfterUnicode14(r) &&
		unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// isPyPrintable is Python's str.isprintable for one character: everything
// but the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs, with the ASCII space
// allowed. That is Go's unicode.IsPrint, except that Python 3.11 uses Unicode
// 14.0 and Go's tables are newer: characters assigned since then are still
// unassigned (so not printable) for the original program.
func isPyPrintable(r rune) bool {
	return unicode.IsPrint(r) && !assignedAfterUnicode14(r)
}

// pyRepr is Python's repr() of the text whose raw bytes are s: a string
// literal in single quotes, or in double quotes when s contains a single quote
// and no double quote, with backslash escapes for the quote in use, the
// backslash and every non-printable character.
func pyRepr(s string) string {
	rs := pyRunes(s)
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b []byte
	b = append(b, byte(quote))
	for _, r := range rs {
		switch {
		case r == quote || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r < ' ' || r == 0x7F:
			b = appendHexEscape(b, 'x', r, 2)
		case r < 0x7F:
			b = append(b, byte(r))
		case isPyPrintable(r):
			b = utf8.AppendRune(b, r)
		case r <= 0xFF:
			b = appendHexEscape(b, 'x', r, 2)
		case r <= 0xFFFF:
			b = appendHexEscape(b, 'u', r, 4)
		default:
			b = appendHexEscape(b, 'U', r, 8)
		}
	}
	b = append(b, byte(quote))
	return string(b)
}

// appendHexEscape appends \<kind> and r as digits lower-case hex digits.
func appendHexEscape(b []byte, kind byte, r rune, digits int) []byte {
	b = append(b, '\\', kind)
	h := strconv.FormatInt(int64(r), 16)
	for range digits - len(h) {
		b = append(b, '0')
	}
	return append(b, h...)
}
