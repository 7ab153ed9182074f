package reconnect

import (
	"math"
	"math/rand/v2"
	"time"
)

// Twisted's defaults for ReconnectingClientFactory.
const (
	DefaultInitialDelay = time.Second
	DefaultMaxDelay     = time.Hour
	DefaultFactor       = 2.7182818284590451 // e
	DefaultJitter       = 0.11962656472      // about 0.12 of the delay, either way
)

// Backoff is a retry schedule: InitialDelay before the first retry, each
// next delay Factor times the last, at most MaxDelay, each spread by
// Jitter (a fraction: 0.1 draws the delay uniformly within 10% either
// side, so that clients cut off together do not all come back at once).
// Zero fields take the defaults above, and so does a Factor below 1 or
// NaN; a negative (or NaN) Jitter means none, and one above 1 counts as 1
// (a delay is never negative). A delay past what a
// time.Duration holds is the longest one.
type Backoff struct {
	InitialDelay time.Duration
	MaxDelay     time.Duration
	Factor       float64
	Jitter       float64
	// Rand draws the jitter, in [0, 1); nil uses math/rand/v2.
	Rand func() float64
}

// Delay returns the delay before retry number n (1 for the first; a
// smaller n counts as 1). It costs the same for any n: a service retried
// for ever with a constant schedule (Factor 1) must not spend longer on
// each retry's arithmetic, on the reactor's goroutine, than the last.
func (b *Backoff) Delay(n int) time.Duration {
	initial, maxDelay, factor, jitter := b.InitialDelay, b.MaxDelay, b.Factor, b.Jitter
	if initial <= 0 {
		initial = DefaultInitialDelay
	}
	if maxDelay <= 0 {
		maxDelay = DefaultMaxDelay
	}
	if !(factor >= 1) { // also NaN, which no comparison admits
		factor = DefaultFactor
	}
	if jitter == 0 {
		jitter = DefaultJitter
	}
	jitter = min(jitter, 1) // NaN stays NaN, and counts as none below
	// factor >= 1 and initial > 0, so d is positive or +Inf (never NaN),
	// and min brings +Inf down to maxDelay.
	d := float64(initial) * math.Pow(factor, float64(max(n, 1)-1))
	d = min(d, float64(maxDelay))
	if jitter > 0 {
		r := b.Rand
		if r == nil {
			r = rand.Float64
		}
		d *= 1 + jitter*(2*r()-1)
	}
	// float64(math.MaxInt64) is 2^63, which does not convert back.
	if d >= float64(math.MaxInt64) {
		return math.MaxInt64
	}
	if !(d > 0) { // a Rand outside [0, 1) may make it negative, or NaN
		return 0
	}
	return time.Duration(d)
}
