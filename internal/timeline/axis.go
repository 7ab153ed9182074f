package timeline

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// axis is a time axis: it runs from 0 to end, with a tick every step. Steps
// are "nice" (1, 2 or 5 times a power of ten nanoseconds), and end is a whole
// number of steps, so the last tick closes the axis and every label is a
// short round number.
type axis struct {
	step, end time.Duration
	unit      time.Duration // what labels count in: second, millisecond, microsecond or nanosecond
	decimals  int           // how many decimals the labels need at this step
}

// emptySpan is the length given to the axis of a timeline in which nothing
// took any time (no lanes, or everything at offset 0), so that there is
// still an axis to draw.
const emptySpan = time.Millisecond

// maxStep is the largest step niceStep hands out, far beyond any recording
// (about 16 years), to keep the arithmetic clear of overflow.
const maxStep = 5e17

// niceStep returns the smallest nice step (1, 2 or 5 times a power of ten
// nanoseconds) that is at least d.
func niceStep(d time.Duration) time.Duration {
	for p := time.Duration(1); p <= maxStep/5; p *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			if m*p >= d {
				return m * p
			}
		}
	}
	return maxStep
}

// newAxis lays an axis with the given step over span.
func newAxis(span, step time.Duration) axis {
	a := axis{step: step}
	n := (span + step - 1) / step // steps needed to reach the end of the span
	a.end = max(n, 1) * step
	switch {
	case a.end >= time.Second:
		a.unit = time.Second
	case a.end >= time.Millisecond:
		a.unit = time.Millisecond
	case a.end >= time.Microsecond:
		a.unit = time.Microsecond
	default:
		a.unit = time.Nanosecond
	}
	// A step below the unit (0.5 s, 0.02 s) needs as many decimals as it
	// takes for step*10^decimals to be a whole number of units.
	for s := step; s%a.unit != 0; s *= 10 {
		a.decimals++
	}
	return a
}

// chooseAxis picks the finest nice axis over span whose ticks fit, as judged
// by the renderer (which knows how much room a label takes). If none fits,
// it returns the coarsest: a single step over the whole span.
func chooseAxis(span time.Duration, fits func(axis) bool) axis {
	if span <= 0 {
		span = emptySpan
	}
	span = min(span, maxStep)
	// Steps finer than a thousandth of the span are never worth trying.
	for step := niceStep(max(span/1000, 1)); ; step = niceStep(step + 1) {
		a := newAxis(span, step)
		if step >= span || fits(a) {
			return a
		}
	}
}

// ticks returns the offsets of every tick, from 0 to end.
func (a axis) ticks() []time.Duration {
	ts := make([]time.Duration, 0, a.end/a.step+1)
	for t := time.Duration(0); t <= a.end; t += a.step {
		ts = append(ts, t)
	}
	return ts
}

// label writes a tick's offset in the axis's unit with the decimals its step
// needs, trailing zeros dropped: "0 s", "2.5 s", "200 ms". micro is how to
// write the microsecond symbol.
func (a axis) label(t time.Duration, micro string) string {
	var unit string
	var digits int // decimal digits of a nanosecond count below one unit
	switch a.unit {
	case time.Second:
		unit, digits = "s", 9
	case time.Millisecond:
		unit, digits = "ms", 6
	case time.Microsecond:
		unit, digits = micro, 3
	default:
		unit, digits = "ns", 0
	}
	s := strconv.FormatInt(int64(t/a.unit), 10)
	if a.decimals > 0 && digits > 0 {
		frac := strconv.FormatInt(int64(t%a.unit), 10)
		frac = strings.Repeat("0", digits-len(frac)) + frac
		if frac = strings.TrimRight(frac[:min(a.decimals, digits)], "0"); frac != "" {
			s += "." + frac
		}
	}
	return s + " " + unit
}

// widestLabel is the length in runes of the longest tick label.
func (a axis) widestLabel(micro string) int {
	w := 0
	for _, t := range a.ticks() {
		w = max(w, len([]rune(a.label(t, micro))))
	}
	return w
}

// fraction is where offset t falls along the axis, from 0 to 1, clamped.
func (a axis) fraction(t time.Duration) float64 {
	t = min(max(t, 0), a.end)
	return float64(t) / float64(a.end)
}

// cell is the index of the cell (of width cells across the axis) whose time
// slice holds offset t. The end of the axis belongs to the last cell. The
// product is taken in floating point only for absurdly long axes; normal
// ones are exact in integers.
func (a axis) cell(t time.Duration, width int) int {
	t = min(max(t, 0), a.end)
	if int64(t) <= math.MaxInt64/int64(width) {
		return min(int(int64(t)*int64(width)/int64(a.end)), width-1)
	}
	return min(int(a.fraction(t)*float64(width)), width-1)
}

// lastCell is the last cell a span ending at offset t reaches: an end that
// falls exactly on a cell boundary does not spill into the next cell.
func (a axis) lastCell(t time.Duration, width int) int {
	t = min(max(t, 0), a.end)
	if int64(t) <= math.MaxInt64/int64(width) {
		p := int64(t) * int64(width)
		c := p / int64(a.end)
		if p%int64(a.end) == 0 {
			c--
		}
		return min(max(int(c), 0), width-1)
	}
	return a.cell(t, width)
}
