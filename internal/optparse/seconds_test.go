package optparse

import (
	"math"
	"testing"
	"time"
)

func TestSeconds(t *testing.T) {
	for _, c := range []struct {
		secs float64
		want time.Duration
		ok   bool
	}{
		{0, 0, true},
		{0.1, 100 * time.Millisecond, true},
		{1e-300, time.Nanosecond, true},
		{9223372036.854774, 9223372036854774784, true},
		// float64(math.MaxInt64)/1e9: times 1e9 it is 2^63 nanoseconds,
		// one past the longest Duration.
		{math.MaxInt64 / float64(time.Second), 0, false},
		{1e300, 0, false},
		{math.Inf(1), 0, false},
		{-1e-300, 0, false},
		{math.NaN(), 0, false},
	} {
		d, ok := Seconds(c.secs)
		if d != c.want || ok != c.ok {
			t.Errorf("Seconds(%v) = %d, %v; want %d, %v", c.secs, d, ok, c.want, c.ok)
		}
	}
}

// TestSecondsOf: a count that is not 0 or more is told what it must be;
// one too long for a Duration is told so, not that it must be 0 or more.
func TestSecondsOf(t *testing.T) {
	const must = "the delay must be 0 or more seconds"
	for _, c := range []struct {
		secs float64
		msg  string // "" for no error
	}{
		{0.5, ""},
		{float64(MaxSeconds), ""},
		{-1, "option --delay: the delay must be 0 or more seconds, not -1"},
		{math.NaN(), "option --delay: the delay must be 0 or more seconds, not NaN"},
		{1e300, "option --delay: 1e+300 seconds is too long, the most is 9223372036 (about 292 years)"},
		{9223372036.854776, "option --delay: 9.223372036854776e+09 seconds is too long, the most is 9223372036 (about 292 years)"},
		{math.Inf(1), "option --delay: +Inf seconds is too long, the most is 9223372036 (about 292 years)"},
	} {
		p, _, stderr := newTestParser("prog", "")
		code := run(func() { p.SecondsOf("--delay", c.secs, must) })
		want := ""
		if c.msg != "" {
			want = "Usage: prog [options]\n\nprog: error: " + c.msg + "\n"
		}
		if stderr.String() != want || (code == 2) != (c.msg != "") {
			t.Errorf("SecondsOf(%v): exit %d, stderr %q; want %q", c.secs, code, stderr, want)
		}
	}
}

func FuzzSeconds(f *testing.F) {
	for _, s := range []float64{0, 0.1, 1e-10, 9223372036.854774, 9223372036.854776, -1, 1e19} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secs float64) {
		d, ok := Seconds(secs)
		switch {
		case !ok && d != 0:
			t.Fatalf("Seconds(%v) refused, with %d", secs, d)
		case !ok && secs >= 0 && secs < 9.2e9:
			t.Fatalf("Seconds(%v) refused a count that fits", secs)
		case ok && (d < 0 || (secs > 0) != (d > 0)):
			t.Fatalf("Seconds(%v) = %d", secs, d)
		case ok && math.Abs(d.Seconds()-secs) > 1e-9+secs*1e-15:
			t.Fatalf("Seconds(%v) = %v, off by more than the rounding", secs, d)
		}
	})
}
