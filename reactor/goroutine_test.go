package reactor

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"gyre/deferred"
)

// TestCallFromGoroutineWakesIdleLoop: the loop has nothing to do and no
// timer, so it sleeps with no timeout; only the wake-up can get the calls
// run. Latency is measured over round trips.
func TestCallFromGoroutineWakesIdleLoop(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		const trips = 200
		var latencies []time.Duration
		go func() {
			for range trips {
				done := make(chan struct{})
				start := time.Now()
				r.CallFromGoroutine(func() {
					latencies = append(latencies, time.Since(start))
					close(done)
				})
				select {
				case <-done:
				case <-time.After(testTimeout):
					r.Stop()
					return
				}
			}
			r.Stop()
		}()
		run(t, r)
		if len(latencies) != trips {
			t.Fatalf("%d of %d calls ran", len(latencies), trips)
		}
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		median, worst := latencies[trips/2], latencies[trips-1]
		t.Logf("%s: CallFromGoroutine wake-up latency median %v, max %v", backend, median, worst)
		if median > 20*time.Millisecond {
			t.Errorf("median wake-up latency %v", median)
		}
	})
}

func TestCallFromGoroutineOrderAndConcurrency(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		const goroutines, each = 8, 500
		seen := make([][]int, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := r.CallFromGoroutine(func() { seen[g] = append(seen[g], i) }); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		go func() {
			wg.Wait()
			r.CallFromGoroutine(func() { r.Stop() })
		}()
		run(t, r)
		for g, s := range seen {
			if len(s) != each {
				t.Fatalf("goroutine %d: %d of %d calls ran", g, len(s), each)
			}
			for i, v := range s {
				if v != i {
					t.Fatalf("goroutine %d: calls out of order at %d: %v", g, i, s[:i+1])
				}
			}
		}
	})
}

func TestCallFromGoroutineBeforeRunAndAfterStop(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	ran := false
	if err := r.CallFromGoroutine(func() { ran = true; r.Stop() }); err != nil {
		t.Fatal(err)
	}
	run(t, r)
	if !ran {
		t.Error("a call queued before Run did not run")
	}
	if err := r.CallFromGoroutine(func() {}); !errors.Is(err, ErrReactorStopped) {
		t.Errorf("CallFromGoroutine after stop = %v, want ErrReactorStopped", err)
	}
}

func TestStopFromAnotherGoroutine(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		r.CallWhenRunning(func() {
			go func() {
				if err := r.Stop(); err != nil {
					t.Error(err)
				}
			}()
		})
		run(t, r)
	})
}

func TestBlockingCall(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	boom := errors.New("boom")
	type outcome struct {
		v   any
		err error
	}
	results := make(chan []outcome, 1)
	go func() {
		var out []outcome
		for _, f := range []func() *deferred.Deferred{
			func() *deferred.Deferred { return deferred.Succeed(42) },
			func() *deferred.Deferred {
				// fired later, by a timer on the loop
				d := deferred.New()
				r.CallLater(time.Millisecond, func() { d.Callback("later") })
				return d
			},
			func() *deferred.Deferred { return deferred.Fail(boom) },
			func() *deferred.Deferred { panic("no deferred for you") },
			func() *deferred.Deferred { return nil },
		} {
			v, err := BlockingCall(r, f)
			out = append(out, outcome{v, err})
		}
		results <- out
		r.Stop()
	}()
	run(t, r)
	out := <-results
	if out[0].v != 42 || out[0].err != nil {
		t.Errorf("Succeed(42): %v, %v", out[0].v, out[0].err)
	}
	if out[1].v != "later" || out[1].err != nil {
		t.Errorf("fired by a timer: %v, %v", out[1].v, out[1].err)
	}
	var f *deferred.Failure
	if !errors.Is(out[2].err, boom) || !errors.As(out[2].err, &f) {
		t.Errorf("Fail(boom): %v, %v; want the Failure wrapping boom", out[2].v, out[2].err)
	}
	if out[3].err == nil {
		t.Error("a panic in f was not returned as an error")
	}
	if out[4].v != nil || out[4].err != nil {
		t.Errorf("nil Deferred: %v, %v", out[4].v, out[4].err)
	}
}

func TestBlockingCallReactorStops(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	errc := make(chan error, 1)
	go func() {
		_, err := BlockingCall(r, func() *deferred.Deferred {
			r.Stop() // the result never comes
			return deferred.New()
		})
		errc <- err
	}()
	run(t, r)
	select {
	case err := <-errc:
		if !errors.Is(err, ErrReactorStopped) {
			t.Errorf("BlockingCall = %v, want ErrReactorStopped", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("BlockingCall did not return after the reactor stopped")
	}
	if _, err := BlockingCall(r, func() *deferred.Deferred { return nil }); !errors.Is(err, ErrReactorStopped) {
		t.Errorf("BlockingCall on a stopped reactor = %v", err)
	}
}

// A call handed over before Stop, from the same goroutine, runs: the
// reactor does not begin its shutdown with work accepted and pending.
func TestCallFromGoroutineThenStopRuns(t *testing.T) {
	for range 100 {
		r, _ := newReactor(t, DefaultBackend())
		ran := false
		started := make(chan struct{})
		r.CallWhenRunning(func() { close(started) })
		go func() {
			<-started
			if err := r.CallFromGoroutine(func() { ran = true }); err != nil {
				t.Error(err)
			}
			r.Stop()
		}()
		run(t, r)
		if !ran {
			t.Fatal("a call accepted before Stop never ran")
		}
	}
}
