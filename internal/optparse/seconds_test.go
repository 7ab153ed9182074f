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
