package reactor

import (
	"context"
	"errors"
	"testing"
	"time"

	"gyre/internal/progtest"
)

// A factory that retries with Connector.Connect after the context
// cancelled an attempt hears the retry's own failure: the retry here is
// stopped by the user (StopConnecting), which has nothing to do with the
// context, and was reported as cancelled by it.
func TestConnectTCPContextRetryNotBlamedOnContext(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithCancel(context.Background())
	cf := &clientFactory{}
	cf.onFail = func(c *Connector, _ error) {
		if len(cf.failed) == 1 {
			c.Connect() // try again, the context long gone
			r.CallLater(10*time.Millisecond, c.StopConnecting)
			return
		}
		r.Stop()
	}
	r.CallWhenRunning(func() {
		r.ConnectTCPContext(ctx, addr, cf)
		r.CallLater(10*time.Millisecond, cancel)
	})
	run(t, r)
	if len(cf.failed) != 2 {
		t.Fatalf("failures %v, want 2", cf.failed)
	}
	if !errors.Is(cf.failed[0], context.Canceled) {
		t.Errorf("the attempt the context cancelled: %v", cf.failed[0])
	}
	if err := cf.failed[1]; !errors.Is(err, ErrConnectCancelled) || errors.Is(err, context.Canceled) {
		t.Errorf("the retry, stopped by StopConnecting: %v; want ErrConnectCancelled without the context's error", err)
	}
}

// The context is cancelled just as its attempt ends for another reason:
// its call is already queued for the loop when the factory retries. The
// retry is the factory's own and must not be stopped by that call.
func TestConnectTCPContextLateCancelSparesRetry(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithCancel(context.Background())
	cf := &clientFactory{}
	cf.onFail = func(c *Connector, _ error) {
		if len(cf.failed) == 1 {
			c.Connect()
			r.CallLater(50*time.Millisecond, c.StopConnecting)
			return
		}
		r.Stop()
	}
	r.CallWhenRunning(func() {
		c := r.ConnectTCPContext(ctx, addr, cf)
		r.CallLater(10*time.Millisecond, func() {
			cancel()
			waitQueued(t, r) // the context's call is on its way to the loop
			c.StopConnecting()
		})
	})
	run(t, r)
	if len(cf.failed) != 2 {
		t.Fatalf("failures %v, want 2", cf.failed)
	}
	if err := cf.failed[0]; errors.Is(err, context.Canceled) {
		t.Errorf("the first attempt, stopped by StopConnecting before the context's call ran: %v", err)
	}
	if err := cf.failed[1]; !errors.Is(err, ErrConnectCancelled) || errors.Is(err, context.Canceled) {
		t.Errorf("the retry: %v; want the StopConnecting 50ms later, not the context's", err)
	}
}

// With a deadline, the connector's timer and the context's fire together;
// a factory that retries when the first attempt times out gets a retry
// with the whole timeout, whose failure is its own.
func TestConnectTCPContextDeadlineRetryKeepsItsTimeout(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r, _ := newReactor(t, DefaultBackend())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	cf := &clientFactory{}
	var retried time.Time
	var lasted time.Duration
	cf.onFail = func(c *Connector, _ error) {
		if len(cf.failed) == 1 {
			retried = time.Now()
			c.Connect()
			return
		}
		lasted = time.Since(retried)
		r.Stop()
	}
	r.CallWhenRunning(func() { r.ConnectTCPContext(ctx, addr, cf) })
	run(t, r)
	if len(cf.failed) != 2 {
		t.Fatalf("failures %v, want 2", cf.failed)
	}
	if err := cf.failed[0]; !errors.Is(err, ErrConnectTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the first attempt: %v; want the deadline", err)
	}
	if err := cf.failed[1]; !errors.Is(err, ErrConnectTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the retry, after %v: %v; want its own timeout, not the context's", lasted, err)
	}
	if lasted < 15*time.Millisecond {
		t.Errorf("the retry ended after %v; want its 20ms timeout", lasted)
	}
}

// waitQueued waits, on the loop, until a goroutine has queued a call for
// it with CallFromGoroutine.
func waitQueued(t *testing.T, r *Reactor) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		n := len(r.queue)
		r.mu.Unlock()
		if n > 0 {
			return
		}
	}
	t.Fatal("no call queued from a goroutine")
}
