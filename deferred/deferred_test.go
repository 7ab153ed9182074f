package deferred_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gyre/deferred"
)

// trace records which functions of a chain ran, and with what.
type trace []string

func (t *trace) add(format string, args ...any) { *t = append(*t, fmt.Sprintf(format, args...)) }

func (t trace) String() string { return strings.Join(t, " ") }

func (t *trace) cb(name string, ret any, err error) deferred.Callback {
	return func(v any) (any, error) {
		t.add("%s(%v)", name, v)
		return ret, err
	}
}

func (t *trace) eb(name string, ret any, err error) deferred.Errback {
	return func(f *deferred.Failure) (any, error) {
		t.add("%s(%v)", name, f)
		return ret, err
	}
}

// final adds a last stage that records which line the chain arrived on.
func (t *trace) final(d *deferred.Deferred) {
	d.AddCallbacks(t.cb("last-cb", nil, nil), t.eb("last-eb", nil, nil))
}

func expectTrace(t *testing.T, got trace, want string) {
	t.Helper()
	if got.String() != want {
		t.Errorf("ran %q, want %q", got.String(), want)
	}
}

var errBoom = errors.New("boom")

// Each of the four methods adds exactly one stage: the stage after it is
// the next one to run, on either line.
func TestAddMethodsAddOnePairEach(t *testing.T) {
	cases := []struct {
		name               string
		add                func(d *deferred.Deferred, tr *trace)
		onSuccess, onError string
	}{
		{
			"AddCallbacks",
			func(d *deferred.Deferred, tr *trace) {
				d.AddCallbacks(tr.cb("cb", "v2", nil), tr.eb("eb", "handled", nil))
			},
			"cb(v) last-cb(v2)", "eb(boom) last-cb(handled)",
		},
		{
			"AddCallback",
			func(d *deferred.Deferred, tr *trace) { d.AddCallback(tr.cb("cb", "v2", nil)) },
			"cb(v) last-cb(v2)", "last-eb(boom)",
		},
		{
			"AddErrback",
			func(d *deferred.Deferred, tr *trace) { d.AddErrback(tr.eb("eb", "handled", nil)) },
			"last-cb(v)", "eb(boom) last-cb(handled)",
		},
		{
			"AddBoth",
			func(d *deferred.Deferred, tr *trace) { d.AddBoth(tr.cb("both", "done", nil)) },
			"both(v) last-cb(done)", "both(boom) last-cb(done)",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tr trace
			d := deferred.New()
			c.add(d, &tr)
			tr.final(d)
			if err := d.Callback("v"); err != nil {
				t.Fatal(err)
			}
			expectTrace(t, tr, c.onSuccess)

			tr = nil
			d = deferred.New()
			c.add(d, &tr)
			tr.final(d)
			if err := d.Errback(errBoom); err != nil {
				t.Fatal(err)
			}
			expectTrace(t, tr, c.onError)
		})
	}
}

func TestAddMethodsReturnTheDeferred(t *testing.T) {
	d := deferred.New()
	pass := func(v any) (any, error) { return v, nil }
	if d.AddCallback(pass) != d || d.AddErrback(nil) != d || d.AddBoth(pass) != d || d.AddCallbacks(nil, nil) != d {
		t.Fatal("an Add method did not return its Deferred")
	}
}

func TestCallbackRunsSynchronously(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.AddCallback(tr.cb("got", nil, nil))
	expectTrace(t, tr, "")
	_ = d.Callback("poem")
	tr.add("after")
	expectTrace(t, tr, "got(poem) after")
	if !d.Called() {
		t.Error("Called() = false after Callback")
	}
}

func TestErrbackWrapsErrorInFailure(t *testing.T) {
	var got *deferred.Failure
	d := deferred.New()
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	_ = d.Errback(errBoom)
	if got == nil {
		t.Fatal("errback did not run")
	}
	if !errors.Is(got, errBoom) || got.Unwrap() != errBoom || got.Error() != "boom" {
		t.Errorf("Failure = %v (unwraps to %v), want one wrapping errBoom", got, got.Unwrap())
	}
}

func TestErrbackKeepsAFailureAsItIs(t *testing.T) {
	f := deferred.NewFailure(errBoom)
	var got *deferred.Failure
	d := deferred.New()
	d.AddErrback(func(g *deferred.Failure) (any, error) { got = g; return nil, nil })
	_ = d.Errback(f)
	if got != f {
		t.Errorf("errback got %p, want the Failure given to Errback %p", got, f)
	}
}

func TestCallbackWithAFailureStartsOnTheErrbackLine(t *testing.T) {
	var tr trace
	d := deferred.New()
	tr.final(d)
	_ = d.Callback(deferred.NewFailure(errBoom))
	expectTrace(t, tr, "last-eb(boom)")
}

// The rules of figure 17 in the tutorial: a failing stage sends the next
// stage's errback the Failure; a succeeding one sends its callback the
// value; an errback that returns a value goes back to the callback line.
func TestLineSwitching(t *testing.T) {
	var tr trace
	other := errors.New("other")
	d := deferred.New()
	d.AddCallbacks(tr.cb("cb1", nil, errBoom), tr.eb("eb1", nil, nil))
	d.AddCallbacks(tr.cb("cb2", nil, nil), tr.eb("eb2", "recovered", nil))
	d.AddCallbacks(tr.cb("cb3", nil, other), tr.eb("eb3", nil, nil))
	d.AddCallbacks(tr.cb("cb4", nil, nil), func(f *deferred.Failure) (any, error) {
		tr.add("eb4(%v)", f)
		return nil, f // pass it on
	})
	tr.final(d)
	_ = d.Callback("go")
	expectTrace(t, tr, "cb1(go) eb2(boom) cb3(recovered) eb4(other) last-eb(other)")
}

func TestErrbackReturningAnotherErrorReplacesTheFailure(t *testing.T) {
	other := errors.New("other")
	var last *deferred.Failure
	d := deferred.New()
	d.AddErrback(func(f *deferred.Failure) (any, error) { return nil, fmt.Errorf("wrapped: %w", f) })
	d.AddErrback(func(f *deferred.Failure) (any, error) { last = f; return nil, nil })
	_ = d.Errback(other)
	if last == nil || !errors.Is(last, other) || last.Error() != "wrapped: other" {
		t.Errorf("last errback got %v, want a Failure wrapping the new error", last)
	}
}

func TestAddBothPassingAFailureOnKeepsTheErrbackLine(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.AddBoth(func(r any) (any, error) { return r, nil })
	tr.final(d)
	_ = d.Errback(errBoom)
	expectTrace(t, tr, "last-eb(boom)")
}

func TestPanicInCallbackBecomesFailure(t *testing.T) {
	var got *deferred.Failure
	d := deferred.New()
	d.AddCallback(func(any) (any, error) { panic(errBoom) })
	d.AddCallback(func(any) (any, error) { t.Error("callback after a panic ran"); return nil, nil })
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	_ = d.Callback(nil)
	if got == nil || !errors.Is(got, errBoom) {
		t.Fatalf("errback got %v, want the panic's error", got)
	}
	tb := got.Traceback()
	if !strings.Contains(tb, "--- <exception caught here> ---") || !strings.Contains(tb, "TestPanicInCallbackBecomesFailure.func1") {
		t.Errorf("traceback does not show the panicking callback below the marker:\n%s", tb)
	}
}

func TestPanicWithANonErrorValue(t *testing.T) {
	var got *deferred.Failure
	d := deferred.New()
	d.AddErrback(func(any2 *deferred.Failure) (any, error) { panic("not an error") })
	d.AddErrback(func(f *deferred.Failure) (any, error) { got = f; return nil, nil })
	_ = d.Errback(errBoom)
	var pe *deferred.PanicError
	if got == nil || !errors.As(got, &pe) || pe.Value != "not an error" {
		t.Fatalf("errback got %v, want a *PanicError", got)
	}
	if got.Error() != "panic: not an error" {
		t.Errorf("Error() = %q", got.Error())
	}
}

func TestPanicInTheMiddleOfAChainGoesOnFromTheNextStage(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.AddCallback(tr.cb("cb1", "one", nil))
	d.AddCallback(func(v any) (any, error) { tr.add("cb2(%v)", v); return nth(nil, 3), nil })
	d.AddCallbacks(tr.cb("cb3", nil, nil), tr.eb("eb3", "saved", nil))
	tr.final(d)
	_ = d.Callback("go")
	expectTrace(t, tr, "cb1(go) cb2(one) eb3(runtime error: index out of range [3] with length 0) last-cb(saved)")
}

// Firing twice, the four ways of the tutorial's defer-4 to defer-7.
func TestFiringTwiceIsRefused(t *testing.T) {
	fire := map[string]func(d *deferred.Deferred) error{
		"Callback": func(d *deferred.Deferred) error { return d.Callback("again") },
		"Errback":  func(d *deferred.Deferred) error { return d.Errback(errBoom) },
	}
	for _, first := range []string{"Callback", "Errback"} {
		for _, second := range []string{"Callback", "Errback"} {
			t.Run(first+"-"+second, func(t *testing.T) {
				runs := 0
				d := deferred.New()
				d.AddBoth(func(any) (any, error) { runs++; return nil, nil })
				if err := fire[first](d); err != nil {
					t.Fatalf("first %s: %v", first, err)
				}
				err := fire[second](d)
				if !errors.Is(err, deferred.ErrAlreadyCalled) {
					t.Fatalf("second %s returned %v, want ErrAlreadyCalled", second, err)
				}
				var ace *deferred.AlreadyCalledError
				if !errors.As(err, &ace) || ace.Op != second || ace.First != first {
					t.Errorf("error %v: want Op %s, First %s", err, second, first)
				}
				if runs != 1 {
					t.Errorf("the chain ran %d times, want 1", runs)
				}
			})
		}
	}
}

func TestCallbacksAddedAfterFiringRunAtOnce(t *testing.T) {
	var tr trace
	d := deferred.Succeed(0)
	tr.add("adding")
	d.AddCallback(tr.cb("cb1", 1, nil))
	tr.add("adding")
	d.AddCallback(tr.cb("cb2", 2, nil))
	expectTrace(t, tr, "adding cb1(0) adding cb2(1)")
}

func TestCallbackAddedFromACallbackRunsInTurn(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.AddCallback(func(v any) (any, error) {
		tr.add("cb1(%v)", v)
		d.AddCallback(tr.cb("added", "x", nil))
		tr.add("cb1 returns")
		return 1, nil
	})
	d.AddCallback(tr.cb("cb2", 2, nil))
	_ = d.Callback(0)
	expectTrace(t, tr, "cb1(0) cb1 returns cb2(1) added(2)")
}

func TestPauseHoldsTheChain(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.Pause()
	d.Pause()
	_ = d.Callback(0)
	d.AddCallback(tr.cb("cb1", 1, nil))
	d.Unpause()
	expectTrace(t, tr, "")
	d.Unpause()
	expectTrace(t, tr, "cb1(0)")
	d.Unpause() // not paused: nothing happens
	d.AddCallback(tr.cb("cb2", 2, nil))
	expectTrace(t, tr, "cb1(0) cb2(1)")
}

func TestPauseFromACallbackStopsTheChainThere(t *testing.T) {
	var tr trace
	d := deferred.New()
	d.AddCallback(func(v any) (any, error) { tr.add("cb1"); d.Pause(); return 1, nil })
	d.AddCallback(tr.cb("cb2", 2, nil))
	_ = d.Callback(0)
	expectTrace(t, tr, "cb1")
	d.Unpause()
	expectTrace(t, tr, "cb1 cb2(1)")
}

func TestZeroValueDeferredWorks(t *testing.T) {
	var tr trace
	var d deferred.Deferred
	d.AddCallback(tr.cb("cb", nil, nil))
	_ = d.Callback("v")
	expectTrace(t, tr, "cb(v)")
}

func TestLongChainGrows(t *testing.T) {
	d := deferred.New()
	for range 100 {
		d.AddCallback(func(v any) (any, error) { return v.(int) + 1, nil })
	}
	var got any
	d.AddCallback(func(v any) (any, error) { got = v; return nil, nil })
	_ = d.Callback(0)
	if got != 100 {
		t.Errorf("got %v, want 100", got)
	}
}

func TestSucceedAndFail(t *testing.T) {
	var tr trace
	d := deferred.Succeed("v")
	if !d.Called() {
		t.Error("Succeed returned an unfired Deferred")
	}
	tr.final(d)
	e := deferred.Fail(errBoom)
	tr.final(e)
	expectTrace(t, tr, "last-cb(v) last-eb(boom)")
}

func TestNilErrorStillFails(t *testing.T) {
	var tr trace
	d := deferred.New()
	tr.final(d)
	_ = d.Errback(nil)
	if len(tr) != 1 || !strings.HasPrefix(tr[0], "last-eb(") {
		t.Errorf("Errback(nil) ran %v, want the errback", tr)
	}
}

// A nil *Failure as a result, given to Callback or returned by a callback as
// its value, is on the errback line like any *Failure, but as a Failure the
// errbacks can use: calling a method of a nil one would panic.
func TestNilFailureResultIsAUsableFailure(t *testing.T) {
	fire := map[string]func(d *deferred.Deferred){
		"Callback": func(d *deferred.Deferred) { _ = d.Callback((*deferred.Failure)(nil)) },
		"returned": func(d *deferred.Deferred) {
			d.AddCallback(func(any) (any, error) { return (*deferred.Failure)(nil), nil })
			_ = d.Callback("poem")
		},
	}
	for name, f := range fire {
		d := deferred.New()
		var got string
		f(d)
		d.AddErrback(func(f *deferred.Failure) (any, error) {
			got = f.Error() + " | " + f.Traceback()
			return nil, nil
		})
		if !strings.HasPrefix(got, "deferred: Failure made from a nil error | ") {
			t.Errorf("%s: the errback read %q, want the nil-error Failure", name, got)
		}
	}
}

// nth panics with a runtime error when n is out of range.
func nth(lines []string, n int) string { return lines[n] }
