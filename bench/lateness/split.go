package main

import (
	"math"
	"slices"
)

// split is where one run's schedule lateness comes from. Lateness is the
// load generator's: a chunk's arrival less start + k × delay, where start
// is the client's connect call and k the chunk's index. Times are in
// microseconds.
type split struct {
	conns, chunks int
	// all is the lateness of every chunk, as poetryload reports it.
	all quantiles
	// first is chunk 0's: the connect, the accept and the first write,
	// measured by a client that is itself busy opening the other
	// connections of the batch.
	first quantiles
	// later is every other chunk's: the server's timers.
	later quantiles
	// offset is each connection's median lateness over its later chunks:
	// how far the server's idea of when the connection began is from the
	// client's connect call. A constant error there makes every later
	// chunk of the connection late by the same amount.
	offset quantiles
	// topFirst and topLater count chunk 0 and the later chunks among the
	// latest 1% of all chunks (those above the p99).
	topFirst, topLater int
}

// quantiles are nearest-rank percentiles of one sample.
type quantiles struct{ p50, p99, max int64 }

// analyse splits the lateness of the connections that ended without error,
// delay (µs) apart; those that failed are left out, as poetryload leaves
// them out of its figures.
func analyse(conns []conn, delay int64) split {
	var s split
	var all, first, later, offset, own []int64
	for _, c := range conns {
		if !c.ok || len(c.arrivals) == 0 {
			continue
		}
		s.conns++
		own = own[:0]
		for k, a := range c.arrivals {
			late := a - (c.start + int64(k)*delay)
			all = append(all, late)
			if k == 0 {
				first = append(first, late)
			} else {
				later = append(later, late)
				own = append(own, late)
			}
		}
		if len(own) > 0 {
			offset = append(offset, percentile(own, 0.5))
		}
	}
	s.chunks = len(all)
	s.all, s.first, s.later, s.offset = describe(all), describe(first), describe(later), describe(offset)
	s.topFirst, s.topLater = above(first, s.all.p99), above(later, s.all.p99)
	return s
}

// above counts the values of xs greater than cut.
func above(xs []int64, cut int64) int {
	n := 0
	for _, x := range xs {
		if x > cut {
			n++
		}
	}
	return n
}

// describe sorts xs in place and reads its quantiles.
func describe(xs []int64) quantiles {
	if len(xs) == 0 {
		return quantiles{}
	}
	slices.Sort(xs)
	return quantiles{p50: xs[rank(len(xs), 0.5)], p99: xs[rank(len(xs), 0.99)], max: xs[len(xs)-1]}
}

// percentile sorts xs in place and returns its nearest-rank q quantile
// (0 for an empty sample).
func percentile(xs []int64, q float64) int64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[rank(len(xs), q)]
}

// rank is the zero-based nearest-rank index of quantile q among n sorted
// values, ceil(q×n) − 1 within [0, n−1]: the definition poetryload uses,
// so that this tool's overall p99 is the one the harness reports.
func rank(n int, q float64) int {
	return min(max(int(math.Ceil(q*float64(n)))-1, 0), n-1)
}
