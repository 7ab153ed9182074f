package basic

import (
	"encoding/binary"
	"strconv"
)

// Reference parsers for the string framers, one byte at a time: a framer
// must deliver the frames they find and give up, for the same reason, at
// the first byte after which no valid stream is possible (for a string
// too long: as soon as its length shows it).

// netstringGrammar parses netstrings: "LEN:DATA,", LEN in decimal without
// a sign or a leading zero (except "0" itself), at most maxLen.
type netstringGrammar struct {
	maxLen int
	digits []byte // the length so far
	body   []byte // the data so far, once ':' has come
	inBody bool
	left   int // data bytes still to come, then the comma
}

// step takes one byte and returns a whole frame (ok), or the reason
// the stream is bad.
func (g *netstringGrammar) step(c byte) (frame []byte, ok bool, err error) {
	switch {
	case !g.inBody && c == ':':
		if len(g.digits) == 0 {
			return nil, false, ErrMalformed
		}
		g.left, _ = strconv.Atoi(string(g.digits)) // at most maxLen: checked digit by digit
		g.inBody, g.body = true, g.body[:0]
	case !g.inBody:
		if c < '0' || c > '9' || len(g.digits) == 1 && g.digits[0] == '0' {
			return nil, false, ErrMalformed
		}
		g.digits = append(g.digits, c)
		if decimalOver(g.digits, g.maxLen) {
			return nil, false, ErrFrameTooLong
		}
	case g.left > 0:
		g.body = append(g.body, c)
		g.left--
	case c != ',':
		return nil, false, ErrMalformed
	default:
		g.inBody, g.digits = false, g.digits[:0]
		return g.body, true, nil
	}
	return nil, false, nil
}

// decimalOver reports whether the decimal digits (no leading zero) stand
// for more than max, comparing them as text: no arithmetic to overflow.
func decimalOver(digits []byte, max int) bool {
	m := strconv.Itoa(max)
	if len(digits) != len(m) {
		return len(digits) > len(m)
	}
	return string(digits) > m
}

// intGrammar parses strings each preceded by its length, an unsigned
// big-endian integer of size bytes, at most maxLen.
type intGrammar struct {
	size   int
	maxLen int
	hdr    []byte
	body   []byte
	left   uint64
}

func (g *intGrammar) step(c byte) (frame []byte, ok bool, err error) {
	if len(g.hdr) < g.size {
		g.hdr = append(g.hdr, c)
		if len(g.hdr) < g.size {
			return nil, false, nil
		}
		var b [8]byte
		copy(b[8-g.size:], g.hdr)
		g.left, g.body = binary.BigEndian.Uint64(b[:]), g.body[:0]
		if g.left > uint64(g.maxLen) {
			return nil, false, ErrFrameTooLong
		}
	} else {
		g.body = append(g.body, c)
		g.left--
	}
	if g.left == 0 {
		g.hdr = g.hdr[:0]
		return g.body, true, nil
	}
	return nil, false, nil
}
