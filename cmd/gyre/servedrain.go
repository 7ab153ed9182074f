package main

import (
	"math"
	"sync/atomic"
	"time"
)

// drainState is what /healthz and /metrics say of a drain: whether one
// has begun, and how long the poems in flight have left before gyre cuts
// them. A cut itself comes at the end of the grace, and the process exits
// milliseconds later, taking /metrics with it: a scraper almost never
// sees it counted (the log always has it). What a scraper can see is the
// cut coming: a drain whose grace runs out with poems still in flight.
//
// The main goroutine writes it, the metrics handler reads it at scrape
// time: atomics, written deadline first, so that a reader that sees
// draining sees its deadline too.
type drainState struct {
	grace    time.Duration
	draining atomic.Bool
	deadline atomic.Int64 // Unix nanoseconds when the poems left are cut
}

// newDrain gives the endpoint's drain state its grace and returns it, for
// the collector.
func (o *opsServer) newDrain(grace time.Duration) *drainState {
	o.drain.grace = grace
	return &o.drain
}

// start begins the drain at now: the poems in flight have until the
// grace is over.
func (d *drainState) start(now time.Time, grace time.Duration) {
	d.deadline.Store(deadlineNanos(now, grace))
	d.draining.Store(true)
}

// deadlineNanos is now + grace in Unix nanoseconds, held at the largest
// int64 (the year 2262) rather than wrapping negative: --grace accepts
// durations up to 292 years, and a wrapped deadline is a time long past,
// which cut's min would keep, leaving the grace running after a cut.
func deadlineNanos(now time.Time, grace time.Duration) int64 {
	n := now.UnixNano()
	if grace > time.Duration(math.MaxInt64-n) {
		return math.MaxInt64
	}
	return n + int64(grace)
}

// cut ends the grace at now, early on a second signal.
func (d *drainState) cut(now time.Time) {
	d.deadline.Store(min(d.deadline.Load(), now.UnixNano()))
}

// graceLeft is the time the poems in flight have left at now: the whole
// grace while serving, then what remains of it, never below 0.
func (d *drainState) graceLeft(now time.Time) time.Duration {
	if !d.draining.Load() {
		return d.grace
	}
	return max(time.Duration(d.deadline.Load()-now.UnixNano()), 0)
}
