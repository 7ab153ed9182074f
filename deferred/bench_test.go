package deferred_test

import (
	"testing"

	"gyre/deferred"
)

// passThrough is a callback that hands its result on unchanged.
func passThrough(v any) (any, error) { return v, nil }

func onError(f *deferred.Failure) (any, error) { return nil, f }

// BenchmarkFire10PassThrough makes a Deferred, adds 10 pass-through
// callbacks and fires it: the figure compared with Twisted's Deferred.
func BenchmarkFire10PassThrough(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := deferred.New()
		for range 10 {
			d.AddCallback(passThrough)
		}
		_ = d.Callback(b)
	}
}

// BenchmarkFireOnly10PassThrough times only the firing of Deferreds that
// already hold 10 pass-through callbacks; they are built in batches with
// the timer stopped.
func BenchmarkFireOnly10PassThrough(b *testing.B) {
	b.ReportAllocs()
	const batch = 1024
	ds := make([]*deferred.Deferred, batch)
	for done := 0; done < b.N; done += batch {
		b.StopTimer()
		n := min(batch, b.N-done)
		for i := range n {
			ds[i] = deferred.New()
			for range 10 {
				ds[i].AddCallback(passThrough)
			}
		}
		b.StartTimer()
		for _, d := range ds[:n] {
			_ = d.Callback(b)
		}
	}
}

// BenchmarkAddAndFireOnePair makes a Deferred, adds one callback/errback pair
// and fires it.
func BenchmarkAddAndFireOnePair(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := deferred.New()
		d.AddCallbacks(passThrough, onError)
		_ = d.Callback(b)
	}
}

// BenchmarkNestedChain10 builds 10 Deferreds, each waiting on the next
// through a callback that returns it, and fires the innermost: the result
// climbs the 10 levels. Per level, the package allocates the Deferred and
// the stage that resumes the outer one; the other two allocations are the
// benchmark's closure and the variable it captures.
func BenchmarkNestedChain10(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		outer := deferred.New()
		d := outer
		for range 10 {
			inner := deferred.New()
			d.AddCallback(func(any) (any, error) { return inner, nil })
			_ = d.Callback(nil)
			d = inner
		}
		outer.AddCallback(passThrough)
		_ = d.Callback(b)
	}
}

// The allocation budget: the Deferred itself holds the first stages, and a
// longer chain costs one more allocation per threefold growth, far below
// one per added pair.
func TestFiringAllocations(t *testing.T) {
	var v any = t
	tenPairs := testing.AllocsPerRun(100, func() {
		d := deferred.New()
		for range 10 {
			d.AddCallback(passThrough)
		}
		_ = d.Callback(v)
	})
	onePair := testing.AllocsPerRun(100, func() {
		d := deferred.New()
		d.AddCallbacks(passThrough, onError)
		_ = d.Callback(v)
	})
	if tenPairs > 2 || onePair > 1 {
		t.Errorf("allocations: %v for ten pairs (want at most 2), %v for one (want at most 1)", tenPairs, onePair)
	}
}
