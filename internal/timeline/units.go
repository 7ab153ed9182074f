package timeline

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file holds how quantities and user text are shown, shared by the SVG
// and the text renderers. Everything is integer arithmetic so that a figure
// is the same on every machine.

// formatBytes shows a byte count: exact below 10 KiB (a poem's "3003 B"
// reads better than "2.9 KiB"), then in binary units with one decimal.
func formatBytes(n int64) string {
	if n < 10*1024 {
		return strconv.FormatInt(max(n, 0), 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	u, i := int64(1024), 0
	// Move up a unit while the number would need five digits or more.
	for i < len(units)-1 && n >= 10*1024*u {
		u *= 1024
		i++
	}
	tenths := n/u*10 + (n%u*10+u/2)/u
	return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10) + " " + units[i]
}

// formatDuration shows how long a task took, with about three significant
// digits: "10.13 s", "850.0 ms", "120 µs". micro is how to write the
// microsecond symbol ("µs", or "us" where only ASCII will do).
func formatDuration(d time.Duration, micro string) string {
	if d <= 0 {
		return "0 s"
	}
	if cs := roundDiv(d, 10*time.Millisecond); cs >= 100 {
		return strconv.FormatInt(int64(cs/100), 10) + "." + pad2(int64(cs%100)) + " s"
	}
	us := (d + 500) / time.Microsecond
	switch {
	case us == 0:
		return strconv.FormatInt(int64(d), 10) + " ns"
	case us < 1000:
		return strconv.FormatInt(int64(us), 10) + " " + micro
	}
	t := (d + 50*time.Microsecond) / (100 * time.Microsecond)
	return strconv.FormatInt(int64(t/10), 10) + "." + strconv.FormatInt(int64(t%10), 10) + " ms"
}

// roundDiv is d/unit rounded half up, without the overflow of
// (d+unit/2)/unit near the largest Duration (a lane of a hand-built
// timeline may last that long).
func roundDiv(d, unit time.Duration) time.Duration {
	q, r := d/unit, d%unit
	if r >= unit-unit/2 {
		q++
	}
	return q
}

// pad2 writes 0..99 on two digits.
func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// laneLabel is the text a lane is called by: its label, or "task N" when the
// caller gave none.
func laneLabel(l Lane) string {
	if l.Label != "" {
		return l.Label
	}
	return "task " + strconv.Itoa(l.Task)
}

// oneLine makes user text fit on one line of a figure: control characters
// (newlines, tabs, escapes) become spaces, bytes that are not UTF-8 become
// U+FFFD, surrounding spaces go, and text longer than limit runes is cut,
// ending with ellipsis. With ascii set, every rune outside printable ASCII
// becomes '?', for the text renderer's pure-ASCII promise.
func oneLine(s string, limit int, ascii bool, ellipsis string) string {
	r := []rune(clean(s, ascii))
	if len(r) <= limit {
		return string(r)
	}
	keep := max(limit-utf8.RuneCountInString(ellipsis), 0)
	return string(r[:keep]) + ellipsis
}

// shortLabel is oneLine for lane labels: a label that is too long loses its
// middle, because both ends of an address matter (the host's name starts
// it, the port ends it).
func shortLabel(s string, limit int, ascii bool, ellipsis string) string {
	r := []rune(clean(s, ascii))
	if len(r) <= limit {
		return string(r)
	}
	keep := max(limit-utf8.RuneCountInString(ellipsis), 0)
	head := (keep + 1) / 2
	return string(r[:head]) + ellipsis + string(r[len(r)-(keep-head):])
}

// clean does oneLine's work except the cut.
func clean(s string, ascii bool) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case ascii && (r < 0x20 || r > 0x7e):
			return '?'
		}
		return r
	}, s))
}
