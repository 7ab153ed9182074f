package task

import (
	"context"
	"errors"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/internal/progtest"
	"gyre/reactor"
)

// A connect that gets no answer, bounded by AddTimeout (or by a context's
// deadline through CancelOnDone), fails as a timeout, not with the
// connector's "User aborted connection.".
func TestAddTimeoutOnAConnect(t *testing.T) {
	addr := progtest.UnansweredAddr(t)
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	var byTimeout, byContext error
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	pending := 2
	done := func(err error, into *error) {
		*into = err
		if pending--; pending == 0 {
			r.Stop()
		}
	}
	r.CallWhenRunning(func() {
		d := AddTimeout(r, reactor.ConnectEndpoint(r, "tcp:"+addr, &reactor.BaseFactory{}), 50*time.Millisecond)
		d.AddErrback(func(f *deferred.Failure) (any, error) { done(f, &byTimeout); return nil, nil })
		d2 := reactor.CancelOnDone(r, ctx, reactor.ConnectEndpoint(r, "tcp:"+addr, &reactor.BaseFactory{}))
		d2.AddErrback(func(f *deferred.Failure) (any, error) { done(f, &byContext); return nil, nil })
	})
	stop := time.AfterFunc(10*time.Second, func() { r.CallFromGoroutine(func() { r.Stop() }) })
	defer stop.Stop()
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	var te *TimeoutError
	if !errors.As(byTimeout, &te) || !errors.Is(byTimeout, ErrTimeout) {
		t.Errorf("AddTimeout: %v", byTimeout)
	}
	if !errors.Is(byContext, context.DeadlineExceeded) {
		t.Errorf("CancelOnDone: %v", byContext)
	}
}
