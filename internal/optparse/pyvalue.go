package optparse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parsePyInt reads an integer the way optparse's "int" type does
// (optparse._parse_num): "0x"/"0X" is hexadecimal, "0b"/"0B" binary, any
// other leading "0" octal ("010" is 8, "08" is an error), the rest decimal,
// each then read by Python's int(text, base). Values that do not fit in a
// Go int are refused (Python would accept them and fail later).
func parsePyInt(val string) (int, bool) {
	var n int64
	var ok bool
	prefix := strings.ToLower(val[:min(2, len(val))])
	switch {
	case prefix == "0x":
		n, ok = pyIntBase(val, 16)
	case prefix == "0b":
		rest := val[2:]
		if rest == "" {
			rest = "0"
		}
		n, ok = pyIntBase(rest, 2)
	case strings.HasPrefix(val, "0"):
		n, ok = pyIntBase(val, 8)
	default:
		n, ok = pyIntBase(val, 10)
	}
	if !ok || n < math.MinInt || n > math.MaxInt {
		return 0, false
	}
	return int(n), true
}

// pyIntBase is Python's int(s, base) for base 2, 8, 10 and 16: surrounding
// whitespace, one sign, for base 2/8/16 an optional matching prefix
// ("0b", "0o", "0x", any case), and single underscores between digits (or
// right after the prefix).
func pyIntBase(s string, base int) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if letter := basePrefix(base); letter != 0 && len(s) >= 2 && s[0] == '0' && s[1]|0x20 == letter {
		s = strings.TrimPrefix(s[2:], "_")
	}
	if s == "" {
		return 0, false
	}
	var n uint64
	lastUnderscore := true // no leading underscore
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if lastUnderscore {
				return 0, false
			}
			lastUnderscore = true
			continue
		}
		d := digitValue(c)
		if d < 0 || d >= base {
			return 0, false
		}
		lastUnderscore = false
		// Stop before n can overflow; 1<<63 is kept for math.MinInt64.
		if n > (1<<63)/uint64(base) {
			return 0, false
		}
		n = n*uint64(base) + uint64(d)
		if n > 1<<63 {
			return 0, false
		}
	}
	switch {
	case lastUnderscore:
		return 0, false
	case neg && n == 1<<63:
		return math.MinInt64, true
	case n == 1<<63:
		return 0, false
	case neg:
		return -int64(n), true
	}
	return int64(n), true
}

// basePrefix is the letter of Python's prefix for a base ("0b", "0o",
// "0x"), or 0 for base 10, which has none.
func basePrefix(base int) byte {
	switch base {
	case 2:
		return 'b'
	case 8:
		return 'o'
	case 16:
		return 'x'
	}
	return 0
}

func digitValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// parsePyFloat reads a number the way Python's float() does: surrounding
// whitespace, a sign, decimal digits with an optional point and exponent,
// single underscores between digits, or "inf", "infinity", "nan" in any
// case. Hexadecimal, which Go would accept, is refused. Overflow gives an
// infinity, as in Python.
func parsePyFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	// Python's grammar: digits [. [digits]] | . digits, then [e [sign] digits].
	i, digits := 0, 0
	// scanDigits advances i over digits and inner underscores and says how
	// many digits it passed.
	scanDigits := func() int {
		n := 0
		for i < len(body) {
			c := body[i]
			if c >= '0' && c <= '9' {
				n++
				i++
				continue
			}
			if c == '_' && n > 0 && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '9' {
				i++
				continue
			}
			break
		}
		return n
	}
	n := scanDigits()
	digits += n
	if i < len(body) && body[i] == '.' {
		i++
		digits += scanDigits()
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		if scanDigits() == 0 {
			return 0, false
		}
	}
	if i != len(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// pyRepr formats s as Python's repr() of a str, which is how optparse quotes
// a bad value ('abc'). Bytes that are not UTF-8 appear as Python shows the
// surrogate-escaped bytes of its argv ('\udcff').
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			fmt.Fprintf(&b, `\udc%02x`, s[i])
			i++
			continue
		}
		i += w
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// pyStr formats a default value the way Python's str() would print it in a
// help text ("%default").
func pyStr(v any) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		return pyFloatStr(v)
	default:
		return fmt.Sprint(v)
	}
}

// pyFloatStr is Python's repr of a float: the shortest digits that read
// back the same, always with a point or an exponent ("0.1", "10.0", "1e+16").
func pyFloatStr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes "1e+16", Python "1e+16"; Go "1.5e-05", Python "1.5e-05".
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
