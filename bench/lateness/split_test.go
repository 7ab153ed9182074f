package main

import (
	"slices"
	"testing"
)

// schedule makes a complete download that began at start and whose chunk
// k arrived late[k] µs after start + k × delay.
func schedule(start, delay int64, late ...int64) conn {
	c := conn{start: start, ok: true}
	for k, l := range late {
		c.arrivals = append(c.arrivals, start+int64(k)*delay+l)
	}
	return c
}

func TestAnalyse(t *testing.T) {
	const delay = 100_000
	conns := []conn{
		schedule(0, delay, 3000, 100, 100, 100),     // a late first chunk, then on time
		schedule(50, delay, 2000, 1500, 1600, 1400), // a constant offset: 1.5 ms
		schedule(90, delay, 1000, 200, 9000, 300),   // one late tick
		schedule(120, delay, 500, 200, 200, 200),    // on time
		{start: 130, arrivals: []int64{99_999_999}}, // failed: left out
		{start: 140, ok: true},                      // no chunk: left out
	}
	s := analyse(conns, delay)
	if s.conns != 4 || s.chunks != 16 {
		t.Fatalf("conns, chunks = %d, %d; want 4, 16", s.conns, s.chunks)
	}
	// chunk 0: 500 1000 2000 3000
	if s.first != (quantiles{p50: 1000, p99: 3000, max: 3000}) {
		t.Errorf("first = %+v", s.first)
	}
	// later: 100 100 100 200 200 200 200 300 1400 1500 1600 9000
	if s.later != (quantiles{p50: 200, p99: 9000, max: 9000}) {
		t.Errorf("later = %+v", s.later)
	}
	// offsets (median of chunks 1..3, nearest rank): 100, 1500, 300, 200
	if s.offset != (quantiles{p50: 200, p99: 1500, max: 1500}) {
		t.Errorf("offset = %+v", s.offset)
	}
	// 16 chunks: the p99 is the largest (9000), so nothing lies above it.
	if s.all.p99 != 9000 || s.topFirst != 0 || s.topLater != 0 {
		t.Errorf("all.p99 %d, top %d / %d; want 9000, 0 / 0", s.all.p99, s.topFirst, s.topLater)
	}
}

func TestAbove(t *testing.T) {
	// 200 chunks, 0..199: the p99 is 197, and the latest 1% are 198 and
	// 199, one a first chunk and one a later one.
	first := []int64{199, 3}
	var later []int64
	for i := range int64(199) {
		if i != 3 {
			later = append(later, i)
		}
	}
	if got := above(first, 197); got != 1 {
		t.Errorf("first chunks above the p99: %d, want 1", got)
	}
	if got := above(later, 197); got != 1 {
		t.Errorf("later chunks above the p99: %d, want 1", got)
	}
}

func TestRank(t *testing.T) {
	// poetryload's nearest rank: ceil(q×n) − 1 within [0, n−1].
	for _, c := range []struct {
		n    int
		q    float64
		want int
	}{
		{62000, 0.99, 61379}, {62000, 0.5, 30999}, {1, 0.99, 0}, {100, 1, 99}, {100, 0, 0}, {3, 0.5, 1},
	} {
		if got := rank(c.n, c.q); got != c.want {
			t.Errorf("rank(%d, %v) = %d, want %d", c.n, c.q, got, c.want)
		}
	}
}

func TestServerOf(t *testing.T) {
	for name, want := range map[string]string{
		"gyre-3": "gyre", "gnet-12": "gnet", "gyre-lines-1": "gyre-lines",
		"gyre": "gyre", "gyre-": "gyre-", "-3": "-3", "w5-gyre": "w5-gyre",
	} {
		if got := serverOf(name); got != want {
			t.Errorf("serverOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestMedians(t *testing.T) {
	got := medians([][]float64{{1, 9}, {3, 7}, {2, 8}, {4, 6}})
	// Four runs: the lower middle value of each column.
	if !slices.Equal(got, []float64{2, 7}) {
		t.Errorf("medians = %v, want [2 7]", got)
	}
}
