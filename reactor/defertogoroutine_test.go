package reactor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"gyre/deferred"
)

// settle records how a Deferred fired.
type settle struct {
	value any
	err   error
	fired bool
	goid  int64
}

func (s *settle) on(d *deferred.Deferred) {
	d.AddCallbacks(func(v any) (any, error) {
		*s = settle{value: v, fired: true, goid: goid()}
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		*s = settle{err: f, fired: true, goid: goid()}
		return nil, nil
	})
}

// waitWorkersGone waits (boundedly) for the pool's goroutines to exit.
func waitWorkersGone(t *testing.T, p *goroutinePool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for p.live.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d pool goroutines still alive", p.live.Load())
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func TestDeferToGoroutineFiresOnTheLoop(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var ok, failed, panicked settle
	var loop int64
	r.CallWhenRunning(func() {
		loop = goid()
		d1 := DeferToGoroutine(r, func(context.Context) (any, error) { return goid(), nil })
		d2 := DeferToGoroutine(r, func(context.Context) (any, error) { return nil, errSentinelPool })
		d3 := DeferToGoroutine(r, func(context.Context) (any, error) { panic("in the pool") })
		ok.on(d1)
		failed.on(d2)
		panicked.on(d3)
		// Stop once all three have fired: the pool runs them in any
		// order, and stopping early fails the others with ErrStopped.
		deferred.Gather(d1, d2, d3).AddBoth(func(any) (any, error) { return nil, r.Stop() })
	})
	run(t, r)
	if !ok.fired || ok.value == loop || ok.goid != loop {
		t.Errorf("ran on %v, fired on %d; the loop is %d", ok.value, ok.goid, loop)
	}
	if !errors.Is(failed.err, errSentinelPool) {
		t.Errorf("error %v", failed.err)
	}
	var pe *deferred.PanicError
	if !errors.As(panicked.err, &pe) || pe.Value != "in the pool" {
		t.Errorf("panic %v", panicked.err)
	}
	waitWorkersGone(t, r.goBridges.pool)
}

var errSentinelPool = errors.New("pool sentinel")

func TestDeferToGoroutineOf(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var got []int
	var gotErr error
	r.CallWhenRunning(func() {
		DeferToGoroutineOf(r, func(context.Context) ([]int, error) { return []int{1, 2}, nil }).
			Handle(func(v []int, err error) {
				got, gotErr = v, err
				r.Stop()
			})
	})
	run(t, r)
	if fmt.Sprint(got) != "[1 2]" || gotErr != nil {
		t.Errorf("got %v, %v", got, gotErr)
	}
}

// A pool of 2 with a queue of 2: two calls run, two wait, the next fails
// at once with ErrPoolFull; never more than two at a time; the queued ones
// run when a goroutine is free; a queued call cancelled never runs and
// frees its place in the queue.
func TestDeferToGoroutineSaturation(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithGoroutinePool(2, 2))
	release := make(chan struct{})
	started := make(chan struct{}, 5)
	var running, most atomic.Int32
	job := func(name string) func(context.Context) (any, error) {
		return func(context.Context) (any, error) {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			started <- struct{}{}
			<-release
			running.Add(-1)
			return name, nil
		}
	}
	results := make([]settle, 5)
	var cancelledRan atomic.Bool
	r.CallWhenRunning(func() {
		var ds []*deferred.Deferred
		for i, name := range []string{"a", "b", "c"} {
			d := DeferToGoroutine(r, job(name))
			results[i].on(d)
			ds = append(ds, d)
		}
		dropped := DeferToGoroutine(r, func(context.Context) (any, error) { cancelledRan.Store(true); return nil, nil })
		results[3].on(dropped)
		dropped.Cancel()
		e := DeferToGoroutine(r, job("e")) // takes the cancelled one's place
		results[4].on(e)
		ds = append(ds, e)
		full := DeferToGoroutine(r, job("f"))
		var fullErr settle
		fullErr.on(full)
		if !errors.Is(fullErr.err, ErrPoolFull) {
			t.Errorf("past the queue: %v", fullErr.err)
		}
		go func() { // once two run at once, let them all go
			<-started
			<-started
			close(release)
		}()
		deferred.Gather(ds...).AddBoth(func(any) (any, error) { return nil, r.Stop() })
	})
	run(t, r)
	if most.Load() != 2 {
		t.Errorf("%d calls ran at once, want 2", most.Load())
	}
	if fmt.Sprint([]any{results[0].value, results[1].value, results[2].value, results[4].value}) != "[a b c e]" {
		t.Errorf("results %+v", results)
	}
	if !errors.Is(results[3].err, deferred.ErrCancelled) || cancelledRan.Load() {
		t.Errorf("the cancelled call: %v, ran %v", results[3].err, cancelledRan.Load())
	}
	waitWorkersGone(t, r.goBridges.pool)
}

// The pool stops with the reactor: running and queued calls fail with
// ErrReactorStopped, running ones see their context done, every goroutine
// exits (busy ones once their work returns), and later calls fail at once.
func TestDeferToGoroutineStopsWithTheReactor(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithGoroutinePool(2, 4))
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	sawDone := make(chan bool, 2)
	block := func(ctx context.Context) (any, error) {
		started <- struct{}{}
		<-release
		sawDone <- ctx.Err() != nil
		return "too late", nil
	}
	results := make([]settle, 3)
	var idle settle
	r.CallWhenRunning(func() {
		results[0].on(DeferToGoroutine(r, block))
		results[1].on(DeferToGoroutine(r, block))
		results[2].on(DeferToGoroutine(r, block)) // queued
		go func() {
			<-started
			<-started
			_ = r.CallFromGoroutine(func() { r.Stop() })
		}()
	})
	run(t, r)
	for i, res := range results {
		if !errors.Is(res.err, ErrReactorStopped) {
			t.Errorf("call %d: %+v", i, res)
		}
	}
	close(release)
	for range 2 {
		if !<-sawDone {
			t.Error("a running call did not see its context done")
		}
	}
	waitWorkersGone(t, r.goBridges.pool)
	idle.on(DeferToGoroutine(r, block))
	if !errors.Is(idle.err, ErrReactorStopped) {
		t.Errorf("after the stop: %+v", idle)
	}
}

// Idle goroutines exit when the reactor stops.
func TestDeferToGoroutineIdleWorkersExit(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	r.CallWhenRunning(func() {
		DeferToGoroutine(r, func(context.Context) (any, error) { return nil, nil }).
			AddBoth(func(any) (any, error) { return nil, r.Stop() })
	})
	run(t, r)
	waitWorkersGone(t, r.goBridges.pool)
}

func TestGoroutinePoolOption(t *testing.T) {
	for _, sizes := range [][2]int{{0, 5}, {-1, 0}, {1, -1}, {0, 0}} {
		if _, err := New(WithGoroutinePool(sizes[0], sizes[1])); err == nil {
			t.Errorf("WithGoroutinePool(%d, %d) accepted", sizes[0], sizes[1])
		}
	}
}

func BenchmarkDeferToGoroutine(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend())
	n := 0
	var next func()
	next = func() {
		if n++; n > b.N {
			r.Stop()
			return
		}
		DeferToGoroutine(r, func(context.Context) (any, error) { return nil, nil }).
			AddBoth(func(any) (any, error) { next(); return nil, nil })
	}
	b.ReportAllocs()
	r.CallWhenRunning(next)
	b.ResetTimer()
	run(b, r)
}

// A function that ends its goroutine with runtime.Goexit (t.FailNow in a
// helper, say) neither returns nor panics. Its Deferred must still fire,
// with an error saying so, and the pool must not lose the goroutine's place:
// with a pool of one, a lost place would fail every later call with
// ErrPoolFull.
func TestDeferToGoroutineGoexit(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithGoroutinePool(1, 1))
	var exited, queued, after settle
	r.CallWhenRunning(func() {
		d1 := DeferToGoroutine(r, func(context.Context) (any, error) {
			runtime.Goexit()
			return "unreachable", nil
		})
		d2 := DeferToGoroutine(r, func(context.Context) (any, error) { return "queued", nil })
		exited.on(d1)
		queued.on(d2)
		deferred.NewList([]*deferred.Deferred{d1, d2}).AddBoth(func(any) (any, error) {
			d3 := DeferToGoroutine(r, func(context.Context) (any, error) { return "after", nil })
			after.on(d3)
			return d3, nil
		}).AddBoth(func(any) (any, error) { return nil, r.Stop() })
	})
	timer := time.AfterFunc(testTimeout, func() { r.Stop() })
	defer timer.Stop()
	run(t, r)
	if !exited.fired || !errors.Is(exited.err, errGoexit) {
		t.Errorf("the Deferred of a function that called Goexit: fired %v with %v, %v; want errGoexit",
			exited.fired, exited.value, exited.err)
	}
	if queued.value != "queued" || after.value != "after" {
		t.Errorf("after a Goexit the pool gave %v, %v then %v, %v; want queued, after",
			queued.value, queued.err, after.value, after.err)
	}
	waitWorkersGone(t, r.goBridges.pool)
}
