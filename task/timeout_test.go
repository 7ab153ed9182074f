package task

import (
	"context"
	"errors"
	"testing"
	"time"

	"gyre/deferred"
)

func TestAddTimeoutFailsWithHowLongItWaited(t *testing.T) {
	c := NewClock()
	cancelled := false
	d := AddTimeout(c, deferred.NewWithCanceller(func(*deferred.Deferred) { cancelled = true }), 3*time.Second)
	var got error
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	c.Advance(2999 * time.Millisecond)
	if got != nil || cancelled {
		t.Fatalf("timed out early: %v", got)
	}
	c.Advance(time.Millisecond)
	if !cancelled {
		t.Error("the Deferred's canceller did not run")
	}
	var te *TimeoutError
	if !errors.As(got, &te) || te.After != 3*time.Second || !errors.Is(got, ErrTimeout) || !errors.Is(got, context.DeadlineExceeded) {
		t.Fatalf("failure %v", got)
	}
	if got.Error() != "task: timed out after 3s waiting for the Deferred" {
		t.Errorf("message %q", got)
	}
}

func TestAddTimeoutInTime(t *testing.T) {
	c := NewClock()
	d := AddTimeout(c, deferred.New(), time.Second)
	_ = d.Callback("fast")
	if len(c.Pending()) != 0 {
		t.Error("the timer is still pending after the Deferred fired")
	}
	var got any
	d.AddCallback(func(v any) (any, error) { got = v; return nil, nil })
	if got != "fast" {
		t.Errorf("got %v", got)
	}

	// A failure of its own, in time, is passed on as it is.
	d = AddTimeout(c, deferred.New(), time.Second)
	_ = d.Errback(deferred.ErrCancelled)
	var err error
	d.AddErrback(func(f *deferred.Failure) (any, error) { err = f; return nil, nil })
	var te *TimeoutError
	if errors.As(err, &te) || !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("a cancellation not caused by the timeout: %v", err)
	}
}

// A canceller that fires the Deferred with a result of its own keeps it:
// only the default ErrCancelled becomes a TimeoutError.
func TestAddTimeoutCancellerResult(t *testing.T) {
	c := NewClock()
	d := AddTimeout(c, deferred.NewWithCanceller(func(d *deferred.Deferred) { _ = d.Callback("partial") }), time.Second)
	c.Advance(time.Second)
	var got any
	d.AddCallback(func(v any) (any, error) { got = v; return nil, nil })
	if got != "partial" {
		t.Errorf("got %v", got)
	}
}

// In an Inline body, a timeout reads as an error from Await.
func TestAddTimeoutInInline(t *testing.T) {
	c := NewClock()
	var err error
	deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, err = co.Await(AddTimeout(c, deferred.New(), time.Minute))
		return nil, nil
	})
	c.Advance(time.Minute)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Await gave %v", err)
	}
}
