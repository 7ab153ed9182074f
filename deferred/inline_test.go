package deferred_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gyre/deferred"
)

// outcome reads what a fired Deferred holds, adding a stage that handles a
// failure so that nothing is reported as unhandled.
func resultOf(t *testing.T, d *deferred.Deferred) (v any, f *deferred.Failure) {
	t.Helper()
	fired := false
	d.AddCallbacks(func(r any) (any, error) {
		fired, v = true, r
		return nil, nil
	}, func(failure *deferred.Failure) (any, error) {
		fired, f = true, failure
		return nil, nil
	})
	if !fired {
		t.Fatal("the Deferred has not fired")
	}
	return v, f
}

func TestInlineAwaitsFiredDeferredsWithoutSuspending(t *testing.T) {
	d := deferred.Inline(func(co *deferred.Coroutine) (int, error) {
		sum := 0
		for i := range 5 {
			v, err := deferred.Await[int](co, deferred.Succeed(i))
			if err != nil {
				return 0, err
			}
			sum += v
		}
		return sum, nil
	})
	if v, f := resultOf(t, d); f != nil || v != 10 {
		t.Fatalf("got %v, %v; want 10", v, f)
	}
}

// The body runs in turns with whoever fires what it awaits: up to the
// first wait at once, then each time an awaited Deferred fires, nested
// Inlines included, and never while the firing code runs.
func TestInlineSuspendResumeOrderWithNestedAwaits(t *testing.T) {
	var log []string
	note := func(s string) { log = append(log, s) }
	outerWait, innerWait := deferred.New(), deferred.New()
	inner := func() *deferred.Deferred {
		return deferred.Inline(func(co *deferred.Coroutine) (string, error) {
			note("inner starts")
			v, err := deferred.Await[string](co, innerWait)
			note("inner resumed with " + v)
			return v + "+inner", err
		})
	}
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		note("outer starts")
		a, err := deferred.Await[string](co, outerWait)
		if err != nil {
			return "", err
		}
		note("outer resumed with " + a)
		b, err := deferred.Await[string](co, inner())
		note("outer resumed with " + b)
		return a + "," + b, err
	})
	note("Inline returned")
	if d.Called() {
		t.Fatal("fired before its awaits")
	}
	note("firing outer")
	_ = outerWait.Callback("a")
	note("outer fired")
	note("firing inner")
	_ = innerWait.Callback("b")
	note("inner fired")
	want := []string{
		"outer starts", "Inline returned",
		"firing outer", "outer resumed with a", "inner starts", "outer fired",
		"firing inner", "inner resumed with b", "outer resumed with b+inner", "inner fired",
	}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Errorf("order:\n%q\nwant\n%q", log, want)
	}
	if v, f := resultOf(t, d); f != nil || v != "a,b+inner" {
		t.Errorf("got %v, %v", v, f)
	}
	// The awaited Deferreds' results were handed to the bodies.
	if v, _ := resultOf(t, outerWait); v != nil {
		t.Errorf("the awaited Deferred goes on with %v, want nil", v)
	}
}

type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

var errSentinel = errors.New("sentinel")

func TestInlineAwaitedFailureIsAMatchableError(t *testing.T) {
	report := watchUnhandled(t)
	waiting := deferred.New()
	var isSentinel, asCode bool
	d := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, err := co.Await(deferred.Fail(errSentinel))
		isSentinel = errors.Is(err, errSentinel)
		_, err = co.Await(waiting)
		var ce *codeError
		asCode = errors.As(err, &ce) && ce.code == 7
		return "handled", nil
	})
	_ = waiting.Errback(fmt.Errorf("wrapped: %w", &codeError{7}))
	if !isSentinel || !asCode {
		t.Errorf("errors.Is %v, errors.As %v", isSentinel, asCode)
	}
	if v, f := resultOf(t, d); f != nil || v != "handled" {
		t.Errorf("got %v, %v", v, f)
	}
	waiting = nil
	deferred.FlushUnhandled(flushTimeout)
	if r := report(); len(r) != 0 {
		t.Errorf("failures handed to the body were reported as unhandled: %v", r)
	}
}

//go:noinline
func returnsAnError(co *deferred.Coroutine) (int, error) {
	return 0, &codeError{3}
}

func TestInlineReturnedErrorBecomesTheFailure(t *testing.T) {
	_, f := resultOf(t, deferred.Inline(returnsAnError))
	var ce *codeError
	if f == nil || !errors.As(f, &ce) || ce.code != 3 {
		t.Fatalf("failure %v", f)
	}
	if tb := f.Traceback(); !strings.Contains(tb, "returnsAnError") {
		t.Errorf("the traceback does not name the body:\n%s", tb)
	}
}

//go:noinline
func panicsAfterAWait(co *deferred.Coroutine, d *deferred.Deferred) (int, error) {
	if _, err := co.Await(d); err != nil {
		return 0, err
	}
	values := make([]int, 3)
	return values[len(values)], nil // a runtime panic: index out of range
}

func TestInlinePanicBecomesTheFailure(t *testing.T) {
	wait := deferred.New()
	d := deferred.Inline(func(co *deferred.Coroutine) (int, error) { return panicsAfterAWait(co, wait) })
	_ = wait.Callback(nil) // resumes the body, which panics on this turn
	_, f := resultOf(t, d)
	if f == nil || !strings.Contains(f.Error(), "index out of range") {
		t.Fatalf("failure %v", f)
	}
	if tb := f.Traceback(); !strings.Contains(tb, "panicsAfterAWait") {
		t.Errorf("the traceback lacks the panic site:\n%s", tb)
	}

	// A panic with a non-error value is a *PanicError.
	_, f = resultOf(t, deferred.Inline(func(*deferred.Coroutine) (int, error) { panic(42) }))
	var pe *deferred.PanicError
	if f == nil || !errors.As(f, &pe) || pe.Value != 42 {
		t.Errorf("failure %v", f)
	}
}

func TestInlineCancelCancelsTheAwaitedDeferred(t *testing.T) {
	cancelled := false
	awaited := deferred.NewWithCanceller(func(*deferred.Deferred) { cancelled = true })
	var bodyErr error
	d := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, err := co.Await(awaited)
		bodyErr = err
		return nil, err
	})
	d.Cancel()
	if !cancelled {
		t.Error("the awaited Deferred's canceller did not run")
	}
	if !errors.Is(bodyErr, deferred.ErrCancelled) {
		t.Errorf("the body resumed with %v, want ErrCancelled", bodyErr)
	}
	if _, f := resultOf(t, d); f == nil || !errors.Is(f, deferred.ErrCancelled) {
		t.Errorf("the Inline's Deferred: %v", f)
	}
}

// A body that handles the cancellation and returns at once: the Inline's
// Deferred fires with the body's value, as Twisted's inlineCallbacks does.
func TestInlineCancelHandledAtOnce(t *testing.T) {
	awaited := deferred.New()
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		if _, err := co.Await(awaited); errors.Is(err, deferred.ErrCancelled) {
			return "handled", nil
		}
		return "", errors.New("not cancelled")
	})
	d.Cancel()
	if v, f := resultOf(t, d); v != "handled" || f != nil {
		t.Errorf("after Cancel: %v, %v; want the body's value", v, f)
	}
}

// settled records how a Deferred fired, for tests that look before and
// after.
type settled struct {
	fired bool
	value any
	fail  *deferred.Failure
}

func settle(d *deferred.Deferred) *settled {
	s := &settled{}
	d.AddCallbacks(func(v any) (any, error) {
		s.fired, s.value = true, v
		return nil, nil
	}, func(f *deferred.Failure) (any, error) {
		s.fired, s.fail = true, f
		return nil, nil
	})
	return s
}

// A body that handles the cancellation and awaits something else: the
// Inline's Deferred waits for the body, and fires with what it returns
// then (it failed with ErrCancelled at once, and the later value was lost).
func TestInlineCancelledBodyThatGoesOn(t *testing.T) {
	first, second := deferred.New(), deferred.New()
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		if _, err := co.Await(first); !errors.Is(err, deferred.ErrCancelled) {
			return "", fmt.Errorf("first await: %v", err)
		}
		return deferred.Await[string](co, second)
	})
	d.Cancel()
	got := settle(d)
	if got.fired {
		t.Fatalf("fired before the body finished: %v, %v", got.value, got.fail)
	}
	_ = second.Callback("late")
	if !got.fired || got.value != "late" || got.fail != nil {
		t.Errorf("after the body finished: fired %v with %v, %v; want late", got.fired, got.value, got.fail)
	}
}

// A body that handles the cancellation, goes on and then fails: the
// failure reaches the Inline's Deferred (it was dropped, and never reported
// as unhandled either).
func TestInlineCancelledThenFails(t *testing.T) {
	first, second := deferred.New(), deferred.New()
	errLater := errors.New("failed later")
	d := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, _ = co.Await(first)
		if _, err := co.Await(second); err != nil {
			return nil, err
		}
		return nil, errLater
	})
	d.Cancel()
	got := settle(d)
	_ = second.Callback(nil)
	if !got.fired || !errors.Is(got.fail, errLater) {
		t.Errorf("fired %v with %v, %v; want the body's failure", got.fired, got.value, got.fail)
	}
}

// A second Cancel, while the body awaits again after handling the first,
// cancels what it awaits then.
func TestInlineCancelledTwice(t *testing.T) {
	first := deferred.New()
	second := deferred.NewWithCanceller(func(d *deferred.Deferred) { _ = d.Callback("stopped") })
	d := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, _ = co.Await(first)
		return co.Await(second)
	})
	d.Cancel()
	d.Cancel()
	if v, f := resultOf(t, d); v != "stopped" || f != nil {
		t.Errorf("after two Cancels: %v, %v; want what the second canceller gave", v, f)
	}
}

// A Cancel made by the body itself, while it runs, does not stop it: the
// Inline's Deferred fires with what the body returns.
func TestInlineCancelFromInsideTheBody(t *testing.T) {
	var d *deferred.Deferred
	release := deferred.New()
	d = deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		if _, err := co.Await(release); err != nil {
			return "", err
		}
		d.Cancel()
		return "finished", nil
	})
	_ = release.Callback(nil)
	if v, f := resultOf(t, d); v != "finished" || f != nil {
		t.Errorf("got %v, %v; want the body's value", v, f)
	}
}

func TestInlineAwaitsAPausedOrChainedDeferred(t *testing.T) {
	paused := deferred.Succeed("p")
	paused.Pause()
	inner := deferred.New()
	chained := deferred.Succeed(nil).AddCallback(func(any) (any, error) { return inner, nil })
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		a, err := deferred.Await[string](co, paused)
		if err != nil {
			return "", err
		}
		b, err := deferred.Await[string](co, chained)
		return a + b, err
	})
	if d.Called() {
		t.Fatal("did not wait for the paused Deferred")
	}
	paused.Unpause()
	if d.Called() {
		t.Fatal("did not wait for the chained Deferred")
	}
	_ = inner.Callback("c")
	if v, f := resultOf(t, d); f != nil || v != "pc" {
		t.Errorf("got %v, %v", v, f)
	}
}

func TestAwaitTypeMismatchAndNil(t *testing.T) {
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
		if p, err := deferred.Await[*codeError](co, deferred.Succeed(nil)); p != nil || err != nil {
			return "", fmt.Errorf("nil as a pointer: %v, %v", p, err)
		}
		if v, err := co.Await(nil); v != nil || err != nil {
			return "", fmt.Errorf("a nil Deferred: %v, %v", v, err)
		}
		_, err := deferred.Await[string](co, deferred.Succeed(42))
		return "", err
	})
	_, f := resultOf(t, d)
	var te *deferred.ResultTypeError
	if f == nil || !errors.As(f, &te) || te.Got != 42 || te.Want.String() != "string" {
		t.Fatalf("failure %v", f)
	}
	if f.Error() != "deferred: result is int, not string" {
		t.Errorf("message %q", f.Error())
	}
}

func TestAwaitOutsideTheBody(t *testing.T) {
	var escaped *deferred.Coroutine
	resultOf(t, deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		escaped = co
		return nil, nil
	}))
	if _, err := escaped.Await(deferred.New()); !errors.Is(err, deferred.ErrNotInCoroutine) {
		t.Errorf("Await after the body returned: %v", err)
	}

	// While the body is suspended, from a callback that holds its Coroutine.
	wait, other := deferred.New(), deferred.New()
	var fromCallback error
	other.AddCallback(func(any) (any, error) {
		_, fromCallback = escaped.Await(deferred.New())
		return nil, nil
	})
	d := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		escaped = co
		return co.Await(wait)
	})
	_ = other.Callback(nil)
	if !errors.Is(fromCallback, deferred.ErrNotInCoroutine) {
		t.Errorf("Await while the body is suspended: %v", fromCallback)
	}
	_ = wait.Callback("done")
	if v, f := resultOf(t, d); v != "done" || f != nil {
		t.Errorf("the body afterwards: %v, %v", v, f)
	}
}

// Many waits in a row: each firing resumes the body for one turn and
// returns, so nothing piles up on either stack.
func TestInlineManyWaitsDoNotGrowTheStack(t *testing.T) {
	const n = 10000
	waits := make([]*deferred.Deferred, n)
	for i := range waits {
		waits[i] = deferred.New()
	}
	d := deferred.Inline(func(co *deferred.Coroutine) (int, error) {
		for _, w := range waits {
			if _, err := co.Await(w); err != nil {
				return 0, err
			}
		}
		return n, nil
	})
	for _, w := range waits {
		_ = w.Callback(nil)
	}
	if v, f := resultOf(t, d); f != nil || v != n {
		t.Errorf("got %v, %v", v, f)
	}
}

// Cancelling an Inline that awaits another cancels through both bodies to
// the Deferred at the bottom; each body sees the cancellation as an error
// and the failure travels back up. A panic in the inner body reaches the
// outer one as an error too.
func TestInlineNestedCancelAndPanic(t *testing.T) {
	leafCancelled := false
	leaf := deferred.NewWithCanceller(func(*deferred.Deferred) { leafCancelled = true })
	var innerErr, outerErr error
	inner := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, innerErr = co.Await(leaf)
		return nil, innerErr
	})
	outer := deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		_, outerErr = co.Await(inner)
		return nil, outerErr
	})
	outer.Cancel()
	if !leafCancelled || !errors.Is(innerErr, deferred.ErrCancelled) || !errors.Is(outerErr, deferred.ErrCancelled) {
		t.Errorf("leaf cancelled %v; inner body got %v; outer body got %v", leafCancelled, innerErr, outerErr)
	}
	if _, f := resultOf(t, outer); !errors.Is(f, deferred.ErrCancelled) {
		t.Errorf("outer: %v", f)
	}

	wait := deferred.New()
	var pe *deferred.PanicError
	outer = deferred.Inline(func(co *deferred.Coroutine) (bool, error) {
		_, err := co.Await(deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			if _, err := co.Await(wait); err != nil {
				return nil, err
			}
			panic("inner")
		}))
		return errors.As(err, &pe), nil
	})
	_ = wait.Callback(nil)
	if v, f := resultOf(t, outer); v != true || f != nil || pe.Value != "inner" {
		t.Errorf("the outer body saw %v, %v, %v", v, f, pe)
	}
}
