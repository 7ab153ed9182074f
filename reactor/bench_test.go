package reactor

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"gyre/internal/timerheap"
)

// The benchmarks behind the figures in the package's report: the timer heap
// with 100,000 pending calls, a CallFromGoroutine round trip, and the cost
// of dispatching a ready descriptor, per backend.

const manyCalls = 100_000

// manualQueue returns a timer heap (the reactor's own) on a clock that only
// moves when told to.
func manualQueue() (*timerheap.Queue, *time.Time) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return timerheap.New(func() time.Time { return now }), &now
}

// BenchmarkTimerQueue100k schedules 100,000 calls at random times within a
// second on a hand-moved clock, then runs them all: the heap alone. The
// queue is reused, as a reactor's is, so its array has already grown.
func BenchmarkTimerQueue100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	delays := make([]time.Duration, manyCalls)
	for i := range delays {
		delays[i] = time.Duration(rng.Int64N(int64(time.Second)))
	}
	fired := 0
	f := func() { fired++ }
	q, now := manualQueue()
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range delays {
			q.CallLater(d, f)
		}
		*now = now.Add(time.Second)
		q.RunDue(*now, nil)
	}
	if fired != b.N*manyCalls {
		b.Fatalf("%d calls fired, want %d", fired, b.N*manyCalls)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*manyCalls), "ns/call")
}

// BenchmarkReactorCallLater100k is the same on a running reactor with the
// real clock, random delays within 1 ms; the last call to fire stops it. It
// is the figure to set beside Twisted's reactor.callLater.
func BenchmarkReactorCallLater100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	delays := make([]time.Duration, manyCalls)
	for i := range delays {
		delays[i] = time.Duration(rng.Int64N(int64(time.Millisecond)))
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := New()
		if err != nil {
			b.Fatal(err)
		}
		fired := 0
		f := func() {
			fired++
			if fired == manyCalls {
				r.Stop()
			}
		}
		r.CallWhenRunning(func() {
			for _, d := range delays {
				r.CallLater(d, f)
			}
		})
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*manyCalls), "ns/call")
}

// BenchmarkCallLaterCancel100kPending schedules and cancels one call while
// 100,000 others are pending: O(log n), and the heap does not grow.
func BenchmarkCallLaterCancel100kPending(b *testing.B) {
	q, _ := manualQueue()
	f := func() {}
	rng := rand.New(rand.NewPCG(1, 2))
	for range manyCalls {
		q.CallLater(time.Duration(rng.Int64N(int64(time.Hour))), f)
	}
	b.ReportAllocs()
	for b.Loop() {
		q.CallLater(time.Duration(rng.Int64N(int64(time.Hour))), f).Cancel()
	}
	if q.Len() != manyCalls {
		b.Fatalf("Len %d", q.Len())
	}
}

// BenchmarkCallFromGoroutine is a round trip: another goroutine hands the
// loop a function and waits until it has run.
func BenchmarkCallFromGoroutine(b *testing.B) {
	for _, backend := range Backends() {
		b.Run(backend, func(b *testing.B) {
			r, _ := newReactor(b, backend)
			go r.Run()
			defer r.Stop()
			done := make(chan struct{}, 1)
			f := func() { done <- struct{}{} }
			b.ReportAllocs()
			for b.Loop() {
				r.CallFromGoroutine(f)
				<-done
			}
		})
	}
}

// BenchmarkDispatchReadReady: one pipe with a byte that is never read, so
// every turn of the loop waits, finds it ready (level-triggered) and calls
// DoRead. One op is one full turn: goroutine queue check, timers check, the
// wait system call and the dispatch.
func BenchmarkDispatchReadReady(b *testing.B) {
	for _, backend := range Backends() {
		b.Run(backend, func(b *testing.B) {
			benchmarkDispatch(b, backend, 1)
		})
	}
}

// BenchmarkDispatch100Ready: 100 ready pipes, so one wait returns 100
// events. One op is one dispatched event: the dispatch cost with the system
// call shared by a hundred.
func BenchmarkDispatch100Ready(b *testing.B) {
	for _, backend := range Backends() {
		b.Run(backend, func(b *testing.B) {
			benchmarkDispatch(b, backend, 100)
		})
	}
}

func benchmarkDispatch(b *testing.B, backend string, pipes int) {
	r, _ := newReactor(b, backend)
	n, target := 0, 0
	for range pipes {
		rfd, wfd := pipe(b)
		write(b, wfd, "x")
		d := &desc{fd: rfd}
		d.read = func() error {
			n++
			if n == target {
				r.Stop()
			}
			return nil
		}
		if err := r.AddReader(d); err != nil {
			b.Fatal(err)
		}
	}
	target = b.N
	b.ReportAllocs()
	b.ResetTimer()
	if err := r.Run(); err != nil {
		b.Fatal(err)
	}
}

// TestDispatchDoesNotAllocate: a thousand turns of the loop, each waiting
// and dispatching a ready descriptor, allocate nothing.
func TestDispatchDoesNotAllocate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		rfd, wfd := pipe(t)
		write(t, wfd, "x")
		var before, after runtime.MemStats
		n := 0
		d := &desc{fd: rfd}
		d.read = func() error {
			n++
			switch n {
			case 100:
				runtime.ReadMemStats(&before)
			case 1100:
				runtime.ReadMemStats(&after)
				r.Stop()
			}
			return nil
		}
		r.AddReader(d)
		run(t, r)
		if allocs := after.Mallocs - before.Mallocs; allocs > 20 {
			t.Errorf("%d allocations in 1000 dispatches", allocs)
		}
	})
}

// TestCallLaterAllocatesOnlyTheCall: once the heap has room, CallLater
// allocates the *DelayedCall and nothing else.
func TestCallLaterAllocatesOnlyTheCall(t *testing.T) {
	q, _ := manualQueue()
	f := func() {}
	for range 1000 {
		q.CallLater(time.Second, f).Cancel() // grow the heap once
	}
	q.CallLater(time.Second, f)
	if allocs := testing.AllocsPerRun(1000, func() { q.CallLater(time.Second, f).Cancel() }); allocs != 1 {
		t.Errorf("CallLater allocates %v times, want 1", allocs)
	}
	r, _ := newReactor(t, DefaultBackend())
	r.CallLater(time.Second, f).Cancel()
	if allocs := testing.AllocsPerRun(1000, func() { r.CallLater(time.Second, f).Cancel() }); allocs != 1 {
		t.Errorf("Reactor.CallLater allocates %v times, want 1", allocs)
	}
}
