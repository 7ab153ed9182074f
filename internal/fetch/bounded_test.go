package fetch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gyre/internal/fetch"
)

// WithoutPoems keeps no poem but counts every byte, and the observer sees
// every chunk's bytes.
func TestWithoutPoems(t *testing.T) {
	poem := mustPoem(t, "library")
	addrs := serveSlow(t, 500, time.Millisecond, poem, poem)
	for _, mode := range fetch.Modes() {
		seen := make([]int, len(addrs))
		results, err := fetch.Fetch(context.Background(), mode, addrs, fetch.WithoutPoems(), fetch.WithObserver(func(ev fetch.Event) {
			if ev.Kind == fetch.Received {
				seen[ev.Task-1] += len(ev.Data)
			}
		}))
		if err != nil {
			t.Fatal(err)
		}
		for i, res := range results {
			if res.Err != nil || res.Poem.Len() != 0 || res.Bytes != int64(len(poem)) || seen[i] != len(poem) {
				t.Errorf("%v task %d: err %v, kept %d bytes, counted %d, observer saw %d; want %d counted and seen, none kept",
					mode, res.Task, res.Err, res.Poem.Len(), res.Bytes, seen[i], len(poem))
			}
		}
	}
}

// WithMaxOpen(1) runs the async and reactor modes one task after another:
// a task starts only once the one before has ended.
func TestWithMaxOpen(t *testing.T) {
	poem := mustPoem(t, "night-bus")
	addrs := serveSlow(t, 200, 2*time.Millisecond, poem, poem, poem)
	for _, mode := range []fetch.Mode{fetch.Async, fetch.Reactor} {
		results, _ := run(t, mode, addrs, fetch.WithMaxOpen(1))
		for i := 1; i < len(results); i++ {
			if results[i].Start.Before(results[i-1].End) || results[i].Err != nil {
				t.Errorf("%v: task %d started before task %d ended (or failed: %v)", mode, i+1, i, results[i].Err)
			}
		}
	}
}

// WithMaxBytes ends a task whose server sends more than the bound, in
// every mode: the task keeps the first bytes up to the bound and fails
// with ErrTooLarge, while a poem within the bound is untouched.
func TestWithMaxBytes(t *testing.T) {
	long, short := mustPoem(t, "library"), mustPoem(t, "night-bus")
	const limit = 1000
	if len(long) <= limit || len(short) > limit*3 {
		t.Fatalf("poems of %d and %d bytes do not suit a bound of %d", len(long), len(short), limit)
	}
	addrs := serveSlow(t, 300, time.Millisecond, long, long[:limit])
	for _, mode := range fetch.Modes() {
		for _, keep := range []bool{true, false} {
			opts := []fetch.Option{fetch.WithMaxBytes(limit)}
			if !keep {
				opts = append(opts, fetch.WithoutPoems())
			}
			results, err := fetch.Fetch(context.Background(), mode, addrs, opts...)
			if err != nil {
				t.Fatal(err)
			}
			over, within := results[0], results[1]
			if !errors.Is(over.Err, fetch.ErrTooLarge) || over.Bytes != limit || (keep && over.Poem.String() != string(long[:limit])) {
				t.Errorf("%v (keep %v): over the bound: err %v, %d bytes counted, %d kept; want ErrTooLarge and %d",
					mode, keep, over.Err, over.Bytes, over.Poem.Len(), limit)
			}
			if within.Err != nil || within.Bytes != limit {
				t.Errorf("%v (keep %v): a poem of exactly the bound: err %v, %d bytes", mode, keep, within.Err, within.Bytes)
			}
		}
	}
}
