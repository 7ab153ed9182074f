package deferred_test

import (
	"errors"
	"testing"

	"gyre/deferred"
)

// Chaining: a callback that returns a Deferred (the tutorial's defer-10).

func TestCallbackReturningUnfiredDeferredPausesTheOuterChain(t *testing.T) {
	var tr trace
	inner := deferred.New()
	outer := deferred.New()
	outer.AddCallback(tr.cb("cb1", 1, nil))
	outer.AddCallback(func(v any) (any, error) { tr.add("cb2(%v)", v); return inner, nil })
	outer.AddCallback(tr.cb("cb3", 3, nil))
	_ = outer.Callback(0)
	expectTrace(t, tr, "cb1(0) cb2(1)")
	_ = inner.Callback(2)
	expectTrace(t, tr, "cb1(0) cb2(1) cb3(2)")
}

func TestInnerFailureGoesDownTheOuterErrbackLine(t *testing.T) {
	var tr trace
	inner := deferred.New()
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	tr.final(outer)
	_ = outer.Callback(nil)
	_ = inner.Errback(errBoom)
	expectTrace(t, tr, "last-eb(boom)")
}

func TestInnerAlreadyFiredIsTakenAtOnce(t *testing.T) {
	var tr trace
	inner := deferred.Succeed("ready")
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	tr.final(outer)
	_ = outer.Callback(nil)
	expectTrace(t, tr, "last-cb(ready)")
	// As in Twisted, the inner Deferred is left with nil.
	inner.AddCallback(tr.cb("inner", nil, nil))
	expectTrace(t, tr, "last-cb(ready) inner(<nil>)")
}

func TestInnerCallbacksRunBeforeTheOuterGoesOn(t *testing.T) {
	var tr trace
	inner := deferred.New()
	inner.AddCallback(tr.cb("inner1", "from-inner", nil))
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	tr.final(outer)
	_ = outer.Callback(nil)
	_ = inner.Callback("x")
	inner.AddCallback(tr.cb("inner2", nil, nil))
	expectTrace(t, tr, "inner1(x) last-cb(from-inner) inner2(<nil>)")
}

// A callback that returns a Deferred whose chain is running (here, a
// callback of that chain fired the outer Deferred) makes the outer chain
// wait for the rest of the inner one and take its final result. Twisted
// 22.4 gives the outer its current result on the spot instead:
// "outer('start') inner-after('mid')". A documented difference.
func TestReturningAnInnerWhoseChainIsRunningWaitsForItsEnd(t *testing.T) {
	var tr trace
	inner, outer := deferred.New(), deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	outer.AddCallback(tr.cb("outer", nil, nil))
	inner.AddCallback(func(any) (any, error) { _ = outer.Callback(nil); return "mid", nil })
	inner.AddCallback(tr.cb("inner-after", "end", nil))
	_ = inner.Callback("start")
	expectTrace(t, tr, "inner-after(mid) outer(end)")
}

func TestPausedInnerIsWaitedFor(t *testing.T) {
	var tr trace
	inner := deferred.New()
	inner.Pause()
	_ = inner.Callback("held")
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	tr.final(outer)
	_ = outer.Callback(nil)
	expectTrace(t, tr, "")
	inner.Unpause()
	expectTrace(t, tr, "last-cb(held)")
}

func TestNestedDeferredsUnwindInOrder(t *testing.T) {
	// levels[i]'s callback returns levels[i+1]: firing the innermost
	// sends its result out through every level.
	const depth = 50
	levels := make([]*deferred.Deferred, depth+1)
	for i := range levels {
		levels[i] = deferred.New()
	}
	for i := range depth {
		next := levels[i+1]
		levels[i].AddCallback(func(any) (any, error) { return next, nil })
	}
	var got any
	levels[0].AddCallback(func(v any) (any, error) { got = v; return nil, nil })
	for i := range depth {
		_ = levels[i].Callback(nil)
	}
	if got != nil {
		t.Fatalf("outermost chain went on before the innermost fired (got %v)", got)
	}
	_ = levels[depth].Callback("deep")
	if got != "deep" {
		t.Errorf("outermost got %v, want the innermost result", got)
	}
}

func TestCallbackReturningItsOwnDeferredFails(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { return d, nil })
	d.AddErrback(func(f *deferred.Failure) (any, error) { tr.add("eb"); return nil, nil })
	_ = d.Callback(nil)
	expectTrace(t, tr, "eb")
}

func TestCallbackWithADeferredChainsOnIt(t *testing.T) {
	var tr trace
	inner := deferred.New()
	outer := deferred.New()
	tr.final(outer)
	_ = outer.Callback(inner)
	expectTrace(t, tr, "")
	_ = inner.Callback("later")
	expectTrace(t, tr, "last-cb(later)")
}

func TestOuterWaitingIgnoresUnpause(t *testing.T) {
	var tr trace
	inner := deferred.New()
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	tr.final(outer)
	_ = outer.Callback(nil)
	outer.Pause()
	outer.Unpause()
	expectTrace(t, tr, "")
	_ = inner.Callback("v")
	expectTrace(t, tr, "last-cb(v)")
}

// Cancellation.

func TestCancelWithoutCancellerFailsWithErrCancelled(t *testing.T) {
	var got *deferred.Failure
	d := deferred.New()
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	d.Cancel()
	if got == nil || got.Check(deferred.ErrCancelled) == nil {
		t.Fatalf("errback got %v, want ErrCancelled", got)
	}
	// The source may still fire it once: that late result is dropped.
	if err := d.Callback("late"); err != nil {
		t.Errorf("first late Callback after Cancel: %v, want nil", err)
	}
	if err := d.Callback("later"); !errors.Is(err, deferred.ErrAlreadyCalled) {
		t.Errorf("second late Callback after Cancel: %v, want ErrAlreadyCalled", err)
	}
}

func TestCancellerThatFiresDecidesTheResult(t *testing.T) {
	var tr trace
	d := deferred.NewWithCanceller(func(d *deferred.Deferred) { _ = d.Callback("partial poem") })
	tr.final(d)
	d.Cancel()
	expectTrace(t, tr, "last-cb(partial poem)")
}

func TestCancellerThatDoesNotFireLeavesErrCancelled(t *testing.T) {
	calls := 0
	var got *deferred.Failure
	d := deferred.NewWithCanceller(func(*deferred.Deferred) { calls++ })
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	d.Cancel()
	if calls != 1 || got == nil || !errors.Is(got, deferred.ErrCancelled) {
		t.Fatalf("canceller calls %d, errback got %v", calls, got)
	}
	// With a canceller, a late result is a real double firing.
	if err := d.Callback("late"); !errors.Is(err, deferred.ErrAlreadyCalled) {
		t.Errorf("late Callback: %v, want ErrAlreadyCalled", err)
	}
	var ace *deferred.AlreadyCalledError
	if err := d.Errback(errBoom); !errors.As(err, &ace) || ace.First != "Cancel" {
		t.Errorf("late Errback: %v, want an AlreadyCalledError after Cancel", err)
	}
}

// Two Deferreds whose cancellers cancel each other, as an "either of two"
// helper written the obvious way does: the Cancel that comes back to the
// Deferred whose canceller is running does nothing, so each canceller runs
// once and both fail with ErrCancelled (it was a fatal stack overflow).
func TestCancellersThatCancelEachOther(t *testing.T) {
	var a, b *deferred.Deferred
	callsA, callsB := 0, 0
	a = deferred.NewWithCanceller(func(*deferred.Deferred) { callsA++; b.Cancel() })
	b = deferred.NewWithCanceller(func(*deferred.Deferred) { callsB++; a.Cancel() })
	var gotA, gotB *deferred.Failure
	a.AddErrback(func(f *deferred.Failure) (any, error) { gotA = f; return nil, nil })
	b.AddErrback(func(f *deferred.Failure) (any, error) { gotB = f; return nil, nil })
	a.Cancel()
	if callsA != 1 || callsB != 1 {
		t.Errorf("cancellers ran %d and %d times, want once each", callsA, callsB)
	}
	if !errors.Is(gotA, deferred.ErrCancelled) || !errors.Is(gotB, deferred.ErrCancelled) {
		t.Errorf("a failed with %v, b with %v; want ErrCancelled for both", gotA, gotB)
	}
}

// A canceller that panics leaves the Deferred as it was: a later Cancel
// runs the canceller again.
func TestCancellerThatPanicsCanRunAgain(t *testing.T) {
	calls := 0
	d := deferred.NewWithCanceller(func(*deferred.Deferred) {
		calls++
		if calls == 1 {
			panic("canceller")
		}
	})
	func() {
		defer func() { _ = recover() }()
		d.Cancel()
	}()
	if d.Called() {
		t.Fatal("a canceller that panicked fired the Deferred")
	}
	d.AddErrback(func(*deferred.Failure) (any, error) { return nil, nil })
	d.Cancel()
	if calls != 2 || !d.Called() {
		t.Errorf("second Cancel: canceller calls %d, called %v; want 2, true", calls, d.Called())
	}
}

func TestCancelAFiredDeferredDoesNothing(t *testing.T) {
	var tr trace
	d := deferred.Succeed("v")
	d.Cancel()
	tr.final(d)
	expectTrace(t, tr, "last-cb(v)")
}

func TestCancelWhileWaitingCancelsTheInner(t *testing.T) {
	var tr trace
	innerCancelled := false
	inner := deferred.NewWithCanceller(func(*deferred.Deferred) { innerCancelled = true })
	outer := deferred.New()
	outer.AddCallback(func(any) (any, error) { return inner, nil })
	tr.final(outer)
	_ = outer.Callback(nil)
	outer.Cancel()
	if !innerCancelled {
		t.Error("the inner Deferred's canceller did not run")
	}
	expectTrace(t, tr, "last-eb(deferred: cancelled)")
}

// A nil *Deferred, fired with or returned by a callback, is the value nil:
// there is nothing to wait for (it was a nil dereference).
func TestNilDeferredIsTheValueNil(t *testing.T) {
	var none *deferred.Deferred
	var got []any
	record := func(v any) (any, error) { got = append(got, v); return v, nil }
	deferred.Succeed(none).AddCallback(record)
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { return none, nil }).AddCallbacks(record, func(f *deferred.Failure) (any, error) {
		t.Errorf("failed: %v", f)
		return nil, nil
	})
	d.Callback("poem")
	if len(got) != 2 || got[0] != nil || got[1] != nil {
		t.Errorf("got %#v, want two untyped nils", got)
	}
}
