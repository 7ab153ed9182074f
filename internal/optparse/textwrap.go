package optparse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is Python's textwrap with the settings optparse uses (all the
// defaults): tabs expanded to 8 columns, every ASCII whitespace character
// turned into a space, words split after hyphens ("well-known" may break as
// "well-" / "known"), over-long words broken, and whitespace dropped at the
// ends of lines. Widths count characters (runes), as Python's len() does.

// wrap is textwrap.wrap(text, width, initial_indent=..., subsequent_indent=...).
func wrap(text string, width int, initialIndent, subsequentIndent string) []string {
	chunks := splitChunks(mungeWhitespace(text))
	var lines []string
	for len(chunks) > 0 {
		indent := initialIndent
		if len(lines) > 0 {
			indent = subsequentIndent
		}
		lineWidth := width - runeLen(indent)
		// A line never starts with whitespace, except the first one.
		if isBlank(chunks[0]) && len(lines) > 0 {
			chunks = chunks[1:]
		}
		var cur []string
		curLen := 0
		for len(chunks) > 0 {
			l := runeLen(chunks[0])
			if curLen+l > lineWidth {
				break
			}
			cur = append(cur, chunks[0])
			curLen += l
			chunks = chunks[1:]
		}
		if len(chunks) > 0 && runeLen(chunks[0]) > lineWidth {
			cur, chunks = breakLongWord(chunks, cur, curLen, lineWidth)
		}
		if n := len(cur); n > 0 && isBlank(cur[n-1]) {
			cur = cur[:n-1]
		}
		if len(cur) > 0 {
			lines = append(lines, indent+strings.Join(cur, ""))
		}
	}
	return lines
}

// fill is textwrap.fill: the wrapped lines joined by newlines.
func fill(text string, width int, initialIndent, subsequentIndent string) string {
	return strings.Join(wrap(text, width, initialIndent, subsequentIndent), "\n")
}

// breakLongWord is TextWrapper._handle_long_word: it moves as much of the
// first chunk as fits onto the current line, preferring to cut after a
// hyphen.
func breakLongWord(chunks, cur []string, curLen, width int) ([]string, []string) {
	spaceLeft := 1
	if width >= 1 {
		spaceLeft = width - curLen
	}
	chunk := []rune(chunks[0])
	end := spaceLeft
	if len(chunk) > spaceLeft {
		if hyphen := lastIndexRune(chunk[:spaceLeft], '-'); hyphen > 0 && strings.Trim(string(chunk[:hyphen]), "-") != "" {
			end = hyphen + 1
		}
	}
	end = min(end, len(chunk))
	cur = append(cur, string(chunk[:end]))
	rest := append([]string{string(chunk[end:])}, chunks[1:]...)
	return cur, rest
}

func lastIndexRune(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// isTextSpace is textwrap's idea of whitespace: ASCII only.
func isTextSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
}

// isBlank is Python's chunk.strip() == "", which uses Unicode whitespace.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// mungeWhitespace expands tabs (str.expandtabs(8)) and turns each ASCII
// whitespace character into a space.
func mungeWhitespace(text string) string {
	var b strings.Builder
	col := 0
	for _, r := range text {
		switch {
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r == '\n' || r == '\r':
			// expandtabs restarts its column count at line ends.
			b.WriteByte(' ')
			col = 0
		case isTextSpace(r):
			b.WriteByte(' ')
			col++
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// Python's regular-expression classes, for Unicode text.
func isWordRune(r rune) bool   { return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' }
func isLetterRune(r rune) bool { return isWordRune(r) && !unicode.IsDigit(r) }
func isWordPunct(r rune) bool  { return isWordRune(r) || strings.ContainsRune(`!"'&.,?`, r) }

// splitChunks is TextWrapper._split with break_on_hyphens: the text becomes
// runs of whitespace, em-dashes ("--" between words) and words, where a
// hyphenated word ends after each hyphen that has two letters before it (or
// letter-hyphen-letter) and a letter after it.
func splitChunks(text string) []string {
	rs := []rune(text)
	n := len(rs)
	at := func(i int) rune {
		if i < 0 || i >= n {
			return -1
		}
		return rs[i]
	}
	isLetterAt := func(i int) bool { return i >= 0 && i < n && isLetterRune(rs[i]) }
	// emDashAt: at least two hyphens starting at i, then a word character.
	emDashAt := func(i int) bool {
		j := i
		for j < n && rs[j] == '-' {
			j++
		}
		return j-i >= 2 && j < n && isWordRune(rs[j])
	}
	var chunks []string
	for i := 0; i < n; {
		start := i
		switch {
		case isTextSpace(rs[i]):
			for i < n && isTextSpace(rs[i]) {
				i++
			}
		case rs[i] == '-' && i > 0 && isWordPunct(rs[i-1]) && emDashAt(i):
			for i < n && rs[i] == '-' {
				i++
			}
		default:
			i = wordEnd(rs, i, at, isLetterAt, emDashAt)
		}
		chunks = append(chunks, string(rs[start:i]))
	}
	return chunks
}

// wordEnd finds where the word starting at i ends, trying the shortest word
// first as Python's lazy "\S+?" does, and at each length the regular
// expression's alternatives in order: a hyphen that may be broken after,
// the end of the word, or the start of an em-dash.
func wordEnd(rs []rune, i int, at func(int) rune, isLetterAt func(int) bool, emDashAt func(int) bool) int {
	n := len(rs)
	for p := i + 1; ; p++ {
		if isTextSpace(rs[p-1]) {
			// Cannot happen for p == i+1; a word never spans whitespace.
			return p - 1
		}
		if p < n && rs[p] == '-' {
			q := p + 1 // just after the hyphen
			behind := (isLetterAt(q-3) && isLetterAt(q-2)) ||
				(isLetterAt(q-4) && at(q-3) == '-' && isLetterAt(q-2))
			ahead := isLetterAt(q) && (isLetterAt(q+1) || (at(q+1) == '-' && isLetterAt(q+2)))
			if behind && ahead {
				return q
			}
		}
		if p == n || isTextSpace(rs[p]) {
			return p
		}
		if isWordPunct(rs[p-1]) && emDashAt(p) {
			return p
		}
	}
}
