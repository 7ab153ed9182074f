package task

import (
	"errors"
	"testing"
	"time"

	"gyre/deferred"
)

func TestDeferLater(t *testing.T) {
	c := NewClock()
	o := watch(DeferLater(c, time.Second, func() (any, error) { return "poem", nil }))
	c.Advance(999 * time.Millisecond)
	if o.fired {
		t.Fatal("fired early")
	}
	c.Advance(time.Millisecond)
	if !o.fired || o.result != "poem" {
		t.Errorf("fired %v with %v", o.fired, o.result)
	}
}

func TestDeferLaterFailures(t *testing.T) {
	c := NewClock()
	boom := errors.New("boom")
	failed := watch(DeferLater(c, 0, func() (any, error) { return nil, boom }))
	panicked := watch(DeferLater(c, 0, func() (any, error) { panic("down") }))
	empty := watch(DeferLater(c, 0, nil))
	inner := deferred.New()
	chained := watch(DeferLater(c, 0, func() (any, error) { return inner, nil }))
	c.Advance(0)
	if failed.err == nil || !errors.Is(failed.err, boom) {
		t.Errorf("error: %v", failed.err)
	}
	if panicked.err == nil {
		t.Error("a panic did not fail the Deferred")
	}
	if !empty.fired || empty.result != nil || empty.err != nil {
		t.Errorf("nil f: fired %v with %v, %v", empty.fired, empty.result, empty.err)
	}
	if chained.fired {
		t.Fatal("did not wait for the returned Deferred")
	}
	inner.Callback("inner")
	if chained.result != "inner" {
		t.Errorf("chained result %v", chained.result)
	}
}

func TestDeferLaterCancel(t *testing.T) {
	c := NewClock()
	ran := false
	d := DeferLater(c, time.Second, func() (any, error) { ran = true; return nil, nil })
	o := watch(d)
	d.Cancel()
	if len(c.Pending()) != 0 {
		t.Error("Cancel left the call pending")
	}
	c.Advance(time.Second)
	if ran || o.err == nil || !errors.Is(o.err, deferred.ErrCancelled) {
		t.Errorf("ran %v, failure %v; want ErrCancelled", ran, o.err)
	}
}
