package deferred_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"gyre/deferred"
)

func TestThenConvertsAndChecksTypes(t *testing.T) {
	d := deferred.New()
	f := deferred.Then(d, func(i int) (string, error) { return strconv.Itoa(i), nil })
	g := deferred.Then(f.Deferred(), func(s string) (string, error) { return s + "!", nil })
	var got string
	var gotErr error
	g.Handle(func(v string, err error) { got, gotErr = v, err })
	_ = d.Callback(41)
	if got != "41!" || gotErr != nil {
		t.Errorf("got %q, %v", got, gotErr)
	}

	// A result of the wrong type fails the chain instead of reaching f.
	called := false
	d = deferred.Succeed("not an int")
	deferred.Then(d, func(int) (int, error) { called = true; return 0, nil }).Handle(func(_ int, err error) { gotErr = err })
	var te *deferred.ResultTypeError
	if called || !errors.As(gotErr, &te) {
		t.Errorf("called %v, error %v", called, gotErr)
	}

	// A failure passes by the typed step and reaches Handle.
	d = deferred.Fail(errSentinel)
	deferred.Then(d, func(int) (int, error) { called = true; return 0, nil }).Handle(func(_ int, err error) { gotErr = err })
	if called || !errors.Is(gotErr, errSentinel) {
		t.Errorf("called %v, error %v", called, gotErr)
	}
}

func TestGatherOfStrings(t *testing.T) {
	a, b := deferred.New(), deferred.New()
	var got []string
	deferred.GatherOf[string](a, b, deferred.Succeed("c")).Handle(func(v []string, err error) {
		if err != nil {
			t.Error(err)
		}
		got = v
	})
	_ = b.Callback("b")
	_ = a.Callback("a")
	if fmt.Sprint(got) != "[a b c]" {
		t.Errorf("got %q", got)
	}

	var gotErr error
	deferred.GatherFutures(deferred.Typed[string](deferred.Succeed("x")), deferred.Typed[string](deferred.Succeed(3))).
		Handle(func(_ []string, err error) { gotErr = err })
	var te *deferred.ResultTypeError
	if !errors.As(gotErr, &te) || te.Got != 3 {
		t.Errorf("a non-string among strings: %v", gotErr)
	}

	deferred.GatherOf[string](deferred.Succeed("x"), deferred.Fail(errSentinel)).Handle(func(_ []string, err error) { gotErr = err })
	var fe *deferred.FirstError
	if !errors.As(gotErr, &fe) || fe.Index != 1 || !errors.Is(gotErr, errSentinel) {
		t.Errorf("a failed input: %v", gotErr)
	}
}

func TestFutureAwaitAndCancel(t *testing.T) {
	f := deferred.Typed[string](deferred.New())
	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) { return f.Await(co) })
	f.Cancel()
	if _, failure := resultOf(t, d); !errors.Is(failure, deferred.ErrCancelled) {
		t.Errorf("got %v", failure)
	}
}

// A Future's result is had once: a second Await gets the nil the chain
// goes on with, which is a *ResultTypeError for a T that cannot be nil and
// the zero T for one that can, as the Future's documentation says.
func TestFutureAwaitedTwice(t *testing.T) {
	words := deferred.Typed[[]string](deferred.Succeed([]string{"a"}))
	word := deferred.Typed[string](deferred.Succeed("a"))
	deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		if v, err := words.Await(co); len(v) != 1 || err != nil {
			t.Errorf("first Await of a Future[[]string]: %v, %v", v, err)
		}
		if v, err := words.Await(co); v != nil || err != nil {
			t.Errorf("second Await of a Future[[]string]: %#v, %v; want nil, nil", v, err)
		}
		if v, err := word.Await(co); v != "a" || err != nil {
			t.Errorf("first Await of a Future[string]: %q, %v", v, err)
		}
		var rte *deferred.ResultTypeError
		if _, err := word.Await(co); !errors.As(err, &rte) {
			t.Errorf("second Await of a Future[string]: %v; want a *deferred.ResultTypeError", err)
		}
		return nil, nil
	})
}

// The zero Future stands for the result nil, as a nil *Deferred does in
// Await and Gather: its methods answer at once instead of dereferencing a
// nil Deferred.
func TestZeroFuture(t *testing.T) {
	var ints deferred.Future[int]
	var gotErr error
	called := false
	ints.Handle(func(v int, err error) { called, gotErr = true, err })
	var te *deferred.ResultTypeError
	if !called || !errors.As(gotErr, &te) || te.Got != nil {
		t.Errorf("Handle of a zero Future[int]: called %v, error %v", called, gotErr)
	}
	ints.Cancel()
	if ints.Deferred() != nil {
		t.Errorf("Deferred of a zero Future: %v", ints.Deferred())
	}

	var errs deferred.Future[error]
	called = false
	errs.Handle(func(v error, err error) { called, gotErr = true, err })
	if !called || gotErr != nil {
		t.Errorf("Handle of a zero Future[error]: called %v, error %v", called, gotErr)
	}

	d := deferred.Inline(func(co *deferred.Coroutine) (int, error) { return ints.Await(co) })
	if _, failure := resultOf(t, d); !errors.As(failure, &te) {
		t.Errorf("Await of a zero Future[int]: %v", failure)
	}
	deferred.GatherFutures(errs, deferred.Typed[error](deferred.Succeed(errSentinel))).Handle(func(v []error, err error) {
		if err != nil || len(v) != 2 || v[0] != nil || v[1] != errSentinel {
			t.Errorf("GatherFutures with a zero Future: %v, %v", v, err)
		}
	})
}

// A panic in the function given to a zero Future's Handle becomes a
// failure of that chain, reported as unhandled, as on any fired Deferred:
// it does not reach Handle's caller.
func TestZeroFutureHandlePanics(t *testing.T) {
	unhandled := watchUnhandled(t)
	var words deferred.Future[[]string]
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Handle of a zero Future let the panic through: %v", r)
			}
		}()
		words.Handle(func([]string, error) { panic("in the handler") })
	}()
	deferred.FlushUnhandled(flushTimeout)
	if got := unhandled(); len(got) != 1 {
		t.Errorf("%d unhandled failures reported, want the handler's panic", len(got))
	}
}
