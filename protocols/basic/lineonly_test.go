package basic

import (
	"slices"
	"testing"
)

// After an over-long line, LineOnlyReceiver keeps the read's last partial
// line as Twisted's does: what follows the last delimiter found by
// splitting the read left to right. With a delimiter that overlaps itself
// the last occurrence is elsewhere; the partial line must be the same as
// when no line was too long.
func TestLineOnlyTooLongOverlappingDelimiter(t *testing.T) {
	for _, c := range []struct {
		delim, read, next string
		want              string
	}{
		{"\r\n\r\n", "toolong\r\n\r\nX\r\n\r\n\r\nY", "\r\n\r\n", "\r\nY"},
		{"abab", "toolongababXabababY", "abab", "abY"},
	} {
		r := &lineOnlyRecorder{}
		h := &lineOnlyHook{lineOnlyRecorder: r}
		r.Handler, r.Delimiter, r.MaxLength = h, []byte(c.delim), 3
		r.MakeConnection(&fakeTransport{})
		r.DataReceived([]byte(c.read))
		r.DataReceived([]byte(c.next))
		if !slices.Equal(h.exceeded, []string{"toolong"}) || !slices.Equal(r.lines, []string{c.want}) {
			t.Errorf("%q then %q: exceeded %q, lines %q; want [\"toolong\"], [%q]", c.read, c.next, h.exceeded, r.lines, c.want)
		}
	}
}
