package reactor

import (
	"errors"
	"testing"
	"time"
)

// queueState reads the queue's length and its waiting callers.
func queueState(r *Reactor) (queued, waiting int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue), r.queueWaits
}

// waitFor polls cond until it holds or the test's timeout passes, and says
// which (it may run on a goroutine of the test's own: it does not stop the
// test).
func waitFor(t *testing.T, what string, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(testTimeout / 2) // within run's own limit
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out waiting for %s", what)
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// A goroutine that queues calls faster than the loop runs them (here the
// loop is held in a callback) waits once the queue is full, instead of
// growing it; every call still runs, in order, once the loop goes on.
func TestCallFromGoroutineQueueIsBounded(t *testing.T) {
	r, _ := newReactor(t, "epoll")
	r.queueLimit = 8
	const calls = 100
	var ran []int
	hold, held := make(chan struct{}), make(chan struct{})
	r.CallWhenRunning(func() {
		close(held)
		<-hold // the loop is busy: nothing takes the queue
	})
	go func() {
		<-held
		for i := range calls {
			if err := r.CallFromGoroutine(func() { ran = append(ran, i) }); err != nil {
				t.Error(err)
				return
			}
		}
		r.CallFromGoroutine(func() { r.Stop() })
	}()
	go func() {
		defer close(hold)
		if !waitFor(t, "a caller waiting for room", func() bool { _, w := queueState(r); return w == 1 }) {
			return
		}
		if q, _ := queueState(r); q != 8 {
			t.Errorf("%d calls queued, want the limit, 8", q)
		}
	}()
	run(t, r)
	if len(ran) != calls {
		t.Fatalf("%d of %d calls ran", len(ran), calls)
	}
	for i, v := range ran {
		if v != i {
			t.Fatalf("call %d ran as %d-th", v, i)
		}
	}
}

// A caller waiting for room when the reactor stops (here, one closed before
// it ever ran) returns ErrReactorStopped instead of waiting for ever.
func TestCallFromGoroutineWaitingWhenStopped(t *testing.T) {
	r, _ := newReactor(t, "epoll")
	r.queueLimit = 2
	r.CallFromGoroutine(func() {})
	r.CallFromGoroutine(func() {})
	errc := make(chan error, 1)
	go func() { errc <- r.CallFromGoroutine(func() { t.Error("ran after the reactor closed") }) }()
	if !waitFor(t, "the third caller to wait", func() bool { _, w := queueState(r); return w == 1 }) {
		t.FailNow()
	}
	r.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrReactorStopped) {
			t.Errorf("got %v, want ErrReactorStopped", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("the waiting caller did not return when the reactor closed")
	}
}

// The loop never waits for itself: a callback that queues more than the
// limit goes on, and the calls run in a later turn.
func TestCallFromGoroutineOnTheLoopDoesNotWait(t *testing.T) {
	r, _ := newReactor(t, "epoll")
	r.queueLimit = 4
	n := 0
	r.CallWhenRunning(func() {
		for range 10 {
			r.CallFromGoroutine(func() { n++ })
		}
		r.CallFromGoroutine(func() { r.Stop() })
	})
	run(t, r)
	if n != 10 {
		t.Errorf("%d of 10 calls ran", n)
	}
}

// A burst's buffer is not kept for the reactor's life: after a turn that
// ran more than spareQueueKeep calls, the loop's buffers are small.
func TestCallFromGoroutineBurstIsNotKept(t *testing.T) {
	r, _ := newReactor(t, "epoll")
	for range 3 * spareQueueKeep {
		r.CallFromGoroutine(func() {})
	}
	// The loop swaps two buffers, so the burst's may be either by now.
	var kept int
	check := func() {
		r.mu.Lock()
		kept = max(cap(r.queue), cap(r.spare))
		r.mu.Unlock()
		r.Stop()
	}
	r.CallFromGoroutine(func() { r.CallFromGoroutine(check) }) // a turn after the burst's
	run(t, r)
	if kept > spareQueueKeep {
		t.Errorf("the loop keeps a buffer of %d calls after the burst, want at most %d", kept, spareQueueKeep)
	}
}
