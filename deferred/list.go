package deferred

import "fmt"

// Waiting on many Deferreds: NewList is Twisted's DeferredList, Gather its
// gatherResults.

// ListResult is the outcome of one input of NewList.
type ListResult struct {
	OK    bool // the input succeeded
	Value any  // its result, or its *Failure when !OK
}

// FirstResult is what a list made with FireOnOneCallback fires with: the
// first success and the position of its input.
type FirstResult struct {
	Index int
	Value any
}

// FirstError is what a list made with FireOnOneErrback, or Gather, fails
// with: the first failure and the position of its input. It unwraps to that
// Failure, so errors.Is, errors.As and Failure.Check see the original error.
type FirstError struct {
	Index   int
	Failure *Failure
}

func (e *FirstError) Error() string {
	return fmt.Sprintf("deferred: input %d failed: %v", e.Index, e.Failure)
}

// Unwrap returns the input's Failure.
func (e *FirstError) Unwrap() error { return e.Failure }

// ListOption changes how NewList fires.
type ListOption func(*listOptions)

type listOptions struct {
	fireOnOneCallback bool
	fireOnOneErrback  bool
	consumeErrors     bool
}

// FireOnOneCallback makes the list fire with a FirstResult as soon as one
// input succeeds (and with the []ListResult if all of them fail).
func FireOnOneCallback() ListOption { return func(o *listOptions) { o.fireOnOneCallback = true } }

// FireOnOneErrback makes the list fail with a *FirstError as soon as one
// input fails.
func FireOnOneErrback() ListOption { return func(o *listOptions) { o.fireOnOneErrback = true } }

// ConsumeErrors makes the list handle its inputs' failures: once recorded,
// a failure goes no further down its input's chain (the chain goes on with
// nil), so it is not reported as unhandled. Without it, the inputs' chains
// go on with their failures, as if the list were not there.
func ConsumeErrors() ListOption { return func(o *listOptions) { o.consumeErrors = true } }

// NewList returns a Deferred that fires once every input has fired, with a
// []ListResult holding their outcomes in input order. Options make it fire
// earlier (FireOnOneCallback, FireOnOneErrback) and keep inputs' failures
// from going on (ConsumeErrors). An empty list fires at once with an empty
// []ListResult, whatever the options: a Deferred that could never fire would
// only be a trap. Cancelling the list cancels every input, even when the
// canceller of one of them panics (as Twisted's DeferredList goes on past a
// canceller that raises); the first such panic then reaches the caller of
// Cancel, with its own value as from Deferred.Cancel, once every input has
// been cancelled.
//
// The list adds one stage to each input's chain, at the point where that
// chain stands now; inputs keep firing on their own schedule. A nil input
// is an input that succeeded with nil.
func NewList(ds []*Deferred, opts ...ListOption) *Deferred {
	var o listOptions
	for _, opt := range opts {
		opt(&o)
	}
	inputs := append([]*Deferred(nil), ds...)
	for i, d := range inputs {
		if d == nil {
			// A nil *Deferred is the value nil, here as where a
			// callback returns one; adding the list's stage to it
			// would be a nil dereference in the caller.
			inputs[i] = Succeed(nil)
		}
	}
	list := NewWithCanceller(func(*Deferred) { cancelEach(inputs) })
	results := make([]ListResult, len(inputs))
	if len(inputs) == 0 {
		_ = list.Callback(results)
		return list
	}
	finished := 0
	for i, d := range inputs {
		d.AddBoth(func(r any) (any, error) {
			f, failed := r.(*Failure)
			results[i] = ListResult{OK: !failed, Value: r}
			finished++
			if !list.Called() {
				switch {
				case !failed && o.fireOnOneCallback:
					_ = list.Callback(FirstResult{Index: i, Value: r})
				case failed && o.fireOnOneErrback:
					_ = list.Errback(&FirstError{Index: i, Failure: f})
				case finished == len(inputs):
					_ = list.Callback(results)
				}
			}
			if failed && o.consumeErrors {
				return nil, nil
			}
			return r, nil
		})
	}
	return list
}

// cancelEach cancels every one of ds. A canceller that panics must not
// leave the inputs after it running, their results wanted by nobody: the
// panic is held until the end and raised again then, with its own value,
// as Deferred.Cancel lets a canceller's panic through (the first one; the
// Cancel it reaches cannot be given several).
func cancelEach(ds []*Deferred) {
	var first any
	for _, d := range ds {
		if v := cancelContained(d); v != nil && first == nil {
			first = v
		}
	}
	if first != nil {
		panic(first)
	}
}

// cancelContained cancels d and returns what its canceller panicked with,
// or nil.
func cancelContained(d *Deferred) (v any) {
	defer func() { v = recover() }()
	d.Cancel()
	return nil
}

// Gather returns a Deferred that fires with the inputs' results, as a []any
// in input order, once all of them have succeeded, or fails with a
// *FirstError as soon as one of them fails. Gather handles its inputs'
// failures (as ConsumeErrors does): the first one travels on through the
// returned Deferred, later ones are dropped; use NewList to see them all.
func Gather(ds ...*Deferred) *Deferred {
	return NewList(ds, FireOnOneErrback(), ConsumeErrors()).AddCallback(func(r any) (any, error) {
		results := r.([]ListResult)
		values := make([]any, len(results))
		for i, res := range results {
			values[i] = res.Value
		}
		return values, nil
	})
}
