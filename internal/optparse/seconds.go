package optparse

import (
	"math"
	"time"
)

// Seconds converts a count of seconds, as the tutorial's options take a
// delay or a timeout ("0.1"), to a time.Duration. ok is false for a count
// below 0, NaN, or one too long for a Duration (about 292 years): the
// caller reports those as usage errors.
//
// The bound is checked on the product, in nanoseconds, against 2^63:
// float64 cannot hold math.MaxInt64, so a count that passes a test on the
// seconds themselves can still round up to 2^63 nanoseconds, which
// converts to a negative Duration. A positive count shorter than a
// nanosecond becomes one nanosecond, not 0, which to a timeout means no
// limit at all.
func Seconds(secs float64) (d time.Duration, ok bool) {
	ns := secs * float64(time.Second)
	if !(ns >= 0 && ns < math.MaxInt64) { // NaN fails too; MaxInt64 converts to 2^63
		return 0, false
	}
	if d = time.Duration(ns); d == 0 && secs > 0 {
		d = time.Nanosecond
	}
	return d, true
}

// MaxSeconds is the longest count of whole seconds Seconds takes: a
// Duration holds up to 2^63-1 nanoseconds, about 292 years.
const MaxSeconds = math.MaxInt64 / int64(time.Second)

// SecondsOf converts the value of the option opt, a count of seconds, with
// Seconds, and stops the program with a usage error when Seconds refuses
// it: saying what the value must be for a negative count or NaN, and that
// it is too long for one past MaxSeconds:
//
//	limit := p.SecondsOf("--timeout", *timeout, "the timeout must be 0 (none) or more seconds")
func (p *Parser) SecondsOf(opt string, secs float64, must string) time.Duration {
	d, ok := Seconds(secs)
	switch {
	case ok:
	case secs > 0:
		p.Errorf("option %s: %v seconds is too long, the most is %d (about 292 years)", opt, secs, MaxSeconds)
	default:
		p.Errorf("option %s: %s, not %v", opt, must, secs)
	}
	return d
}
