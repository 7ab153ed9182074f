package timeline

import (
	"strings"
	"testing"
	"time"
)

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ in, want time.Duration }{
		{0, 1}, {1, 1}, {2, 2}, {3, 5}, {6, 10}, {11, 20},
		{1500 * time.Microsecond, 2 * time.Millisecond},
		{time.Second, time.Second},
		{time.Second + 1, 2 * time.Second},
		{2875 * time.Millisecond, 5 * time.Second},
		{7 * time.Second, 10 * time.Second},
		{1 << 62, maxStep},
	} {
		if got := niceStep(c.in); got != c.want {
			t.Errorf("niceStep(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestAxisLabels(t *testing.T) {
	ms, us := time.Millisecond, time.Microsecond
	for _, c := range []struct {
		span, step time.Duration
		want       string // every tick's label, joined with "|"
	}{
		{23 * time.Second, 5 * time.Second, "0 s|5 s|10 s|15 s|20 s|25 s"},
		{2 * time.Second, 500 * ms, "0 s|0.5 s|1 s|1.5 s|2 s"},
		{1100 * ms, 200 * ms, "0 s|0.2 s|0.4 s|0.6 s|0.8 s|1 s|1.2 s"},
		{120 * ms, 20 * ms, "0 ms|20 ms|40 ms|60 ms|80 ms|100 ms|120 ms"},
		{2500 * us, 500 * us, "0 ms|0.5 ms|1 ms|1.5 ms|2 ms|2.5 ms"},
		{100 * ms, 50 * ms, "0 ms|50 ms|100 ms"},
		{40 * us, 10 * us, "0 µs|10 µs|20 µs|30 µs|40 µs"},
		{300, 100, "0 ns|100 ns|200 ns|300 ns"},
		{1050 * ms, 50 * ms, "0 s|0.05 s|0.1 s|0.15 s|0.2 s|0.25 s|0.3 s|0.35 s|0.4 s|0.45 s|0.5 s|0.55 s|0.6 s|0.65 s|0.7 s|0.75 s|0.8 s|0.85 s|0.9 s|0.95 s|1 s|1.05 s"},
	} {
		a := newAxis(c.span, c.step)
		var labels []string
		for _, tk := range a.ticks() {
			labels = append(labels, a.label(tk, "µs"))
		}
		if got := strings.Join(labels, "|"); got != c.want {
			t.Errorf("axis over %v by %v:\n got %s\nwant %s", c.span, c.step, got, c.want)
		}
		if a.end < c.span || a.end%a.step != 0 || a.end-c.span >= a.step {
			t.Errorf("axis over %v by %v ends at %v", c.span, c.step, a.end)
		}
	}
}

func TestChooseAxis(t *testing.T) {
	always := func(axis) bool { return true }
	never := func(axis) bool { return false }
	// The finest step tried is about a thousandth of the span.
	if a := chooseAxis(10*time.Second, always); a.step != 10*time.Millisecond {
		t.Errorf("finest axis over 10 s: step %v", a.step)
	}
	// When nothing fits, one step covers the whole span.
	if a := chooseAxis(23*time.Second, never); a.step != 50*time.Second || len(a.ticks()) != 2 {
		t.Errorf("coarsest axis over 23 s: step %v, %d ticks", a.step, len(a.ticks()))
	}
	// An empty span still gets an axis.
	if a := chooseAxis(0, never); a.end != emptySpan {
		t.Errorf("axis over nothing ends at %v", a.end)
	}
	// The first fitting step is taken.
	atLeast := func(min time.Duration) func(axis) bool { return func(a axis) bool { return a.step >= min } }
	if a := chooseAxis(time.Minute, atLeast(3*time.Second)); a.step != 5*time.Second {
		t.Errorf("axis needing a step of 3 s: step %v", a.step)
	}
	// Spans beyond any recording do not overflow.
	if a := chooseAxis(1<<62, never); a.end <= 0 || a.step != maxStep {
		t.Errorf("axis over 2^62 ns: %+v", a)
	}
}

func TestAxisCells(t *testing.T) {
	a := newAxis(time.Second, 100*time.Millisecond) // 0..1 s
	ms := time.Millisecond
	for _, c := range []struct {
		at         time.Duration
		cell, last int
	}{
		{-ms, 0, 0}, {0, 0, 0}, {99 * ms, 0, 0}, {100 * ms, 1, 0}, {150 * ms, 1, 1},
		{999 * ms, 9, 9}, {time.Second, 9, 9}, {2 * time.Second, 9, 9},
	} {
		if got := a.cell(c.at, 10); got != c.cell {
			t.Errorf("cell(%v) = %d, want %d", c.at, got, c.cell)
		}
		if got := a.lastCell(c.at, 10); got != c.last {
			t.Errorf("lastCell(%v) = %d, want %d", c.at, got, c.last)
		}
	}
	// An axis so long that offset*width overflows an int64 still works.
	long := newAxis(1<<62, maxStep)
	if got := long.cell(long.end, 1000); got != 999 {
		t.Errorf("cell at the end of a very long axis = %d", got)
	}
	if got := long.cell(long.end/2, 1000); got != 500 {
		t.Errorf("cell in the middle of a very long axis = %d", got)
	}
}
