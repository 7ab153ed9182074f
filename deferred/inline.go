package deferred

import (
	"errors"
	"iter"
	"reflect"
)

// Sequential code on the loop: Inline is Twisted's inlineCallbacks.
//
// The body of an Inline runs on a coroutine made with iter.Pull. A coroutine
// is a goroutine that never runs in parallel with the one that resumes it:
// iter.Pull hands control over and back directly (the runtime's coroswitch),
// so the body and the loop take turns, exactly as a Python generator and
// Twisted's reactor do. The body can therefore touch everything the loop
// owns without a lock, and the deferred package stays free of any reactor:
// whoever fires the awaited Deferred (the reactor, a test, task.Clock)
// resumes the body, on its own goroutine's turn.
//
// The alternatives were worse. A plain goroutine per body, taking turns with
// the loop through a pair of unbuffered channels, goes through the
// scheduler at every switch: a round trip costs about three times a
// coroutine's (BenchmarkMechanismChannelRoundTrip against
// BenchmarkMechanismCoroutineRoundTrip: 370 ns and 130 ns on a loaded
// 2-core machine; a coroutine resumed from a goroutine locked to its thread
// costs more, about the channels' price), and one forgotten hand-over lets the body run in parallel with
// the loop. A state-machine rewrite of the body is what Go has no syntax
// for.
//
// An Await on a Deferred that has already fired does not switch at all: the
// result is taken on the spot, so a body awaiting ten fired Deferreds costs
// less than the same work as a chain of callbacks (BenchmarkInlineAwait10Fired
// against BenchmarkChain10Fired: about 4 and 6 µs). Only an Await that must
// wait suspends the coroutine (BenchmarkInlineSuspendResume: about 0.5 µs),
// and starting a body costs about 0.9 µs (BenchmarkInlineStart).

// ErrNotInCoroutine is the failure of an Await made outside the body it
// belongs to: after the body returned, or while it is suspended (with a
// Coroutine that escaped to a callback, say).
var ErrNotInCoroutine = errors.New("deferred: Await outside its Inline body")

// Coroutine is what an Inline body awaits with. It is valid only inside the
// body it was passed to, on that body's turns.
type Coroutine struct {
	yield  func(*Deferred) bool // suspends the body, handing the driver a Deferred to wait for
	next   func() (*Deferred, bool)
	result any // what the awaited Deferred gave, set before the body resumes

	awaiting *Deferred // the Deferred the body waits for, for Cancel
	target   *Deferred // what the outcome fires: the Inline's Deferred, or what a Cancel made it wait for
	outcome  any       // the body's result (a *Failure when it failed), once finished

	stepping bool // the driver's loop is on the stack (see onResult)
	running  bool // the body is running (not suspended, not finished)
	ready    bool // a result arrived while stepping: resume once more
	finished bool
}

// Inline runs body at once, as a coroutine that takes turns with its caller,
// and returns a Deferred that fires with body's result (Twisted's
// inlineCallbacks). Inside, co.Await(d) (or the typed Await) suspends the
// body until d has fired and gives its result, or its Failure as the error;
// code reads top to bottom:
//
//	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
//		poem, err := deferred.Await[string](co, getPoetry(addr))
//		if err != nil {
//			return "", err
//		}
//		return strings.ToUpper(poem), nil
//	})
//
// The body runs on the goroutine that calls Inline until its first Await of
// a Deferred that has not fired; from then on it resumes on the goroutine
// that fires what it awaits (the reactor's, in a program), never in
// parallel with it. So a body started on the loop needs no lock to use what
// the loop owns, and must not block.
//
// A non-nil error returned by body fails the returned Deferred with a
// Failure naming body; a panic in body fails it with a Failure recording the
// frames from the panic site.
//
// Cancelling the returned Deferred cancels the Deferred the body is
// awaiting, which normally resumes the body with an error matching
// ErrCancelled. The returned Deferred then fires with whatever the body
// finally returns, as with Twisted's inlineCallbacks: the cancellation's
// failure if the body passes the error on, the body's value if it handles
// the cancellation and returns one, at once or after awaiting something
// else, and the body's own failure if it fails later. A Cancel made while
// the body is running (not awaiting), or while what it awaits cannot fire
// yet (it is paused), does not stop the body either: the returned Deferred
// waits for the body's outcome in every case (meanwhile it reports Called,
// as any Deferred waiting for an inner one does). Cancel it again to cancel
// what the body awaits by then.
//
// A body suspended on a Deferred that never fires stays suspended (a parked
// goroutine of a few KiB) for the life of the process: as with any goroutine
// blocked forever, cancel or fire what it awaits.
func Inline[T any](body func(co *Coroutine) (T, error)) *Deferred {
	co := &Coroutine{}
	out := NewWithCanceller(co.cancel)
	co.target = out
	co.next, _ = iter.Pull(func(yield func(*Deferred) bool) {
		co.yield = yield
		co.outcome = co.run(bodyFunc[T](body))
	})
	co.step()
	return out
}

// run runs the body inside the coroutine and returns its outcome: its
// value, or a *Failure.
func (co *Coroutine) run(body caller) (outcome any) {
	defer func() {
		if p := recover(); p != nil {
			outcome = NewFailureFromPanic(p)
		}
	}()
	v, err := body.call(co)
	if err != nil {
		return returnedFailure(err, body)
	}
	return v
}

// caller is a body of any result type: Inline is generic, the coroutine
// machinery is not, which keeps one copy of it.
type caller interface {
	call(*Coroutine) (any, error)
}

// step resumes the body until it suspends on a Deferred that has not fired
// or finishes. A result that arrives while step is on the stack (the
// awaited Deferred fires during AddBoth) is noted by onResult and picked up
// by the loop here, instead of resuming the coroutine from inside itself.
func (co *Coroutine) step() {
	co.stepping = true
	defer func() { co.stepping = false }()
	for {
		co.ready = false
		co.running = true
		d, ok := co.next()
		co.running = false
		if !ok {
			co.finish()
			return
		}
		co.awaiting = d
		d.AddBoth(co.onResult)
		if !co.ready {
			return
		}
	}
}

// onResult is the stage Inline adds to an awaited Deferred. The result now
// belongs to the body, so the awaited chain goes on with nil (as in
// Twisted), and a Failure handed to the body counts as handled.
func (co *Coroutine) onResult(r any) (any, error) {
	co.awaiting = nil
	co.result = r
	if co.stepping {
		co.ready = true
		return nil, nil
	}
	co.step()
	return nil, nil
}

// finish fires the target with the body's outcome: the Inline's Deferred,
// or the Deferred it waits for since a Cancel (see cancel).
func (co *Coroutine) finish() {
	co.finished = true
	co.yield, co.next = nil, nil
	target := co.target
	co.target = nil
	if f, failed := co.outcome.(*Failure); failed {
		_ = target.Errback(f)
	} else {
		_ = target.Callback(co.outcome)
	}
	co.outcome = nil
}

// cancel is the canceller of the target. It cancels what the body awaits,
// which usually resumes the body at once. If the body has not finished
// after that (it handled the cancellation and awaits something else, or it
// could not be resumed yet), the target is fired with a new Deferred, which
// makes it wait for that one: Cancel then leaves it alone instead of
// failing it with ErrCancelled, and the body's outcome fires the new
// Deferred (Twisted's _cancellableInlineCallbacks does the same). The new
// Deferred has this canceller too, so that a second Cancel of the Inline's
// Deferred, passed down to it, cancels what the body awaits by then.
func (co *Coroutine) cancel(target *Deferred) {
	if d := co.awaiting; d != nil {
		d.Cancel()
	}
	if co.finished {
		return // finish fired target with the outcome
	}
	next := NewWithCanceller(co.cancel)
	co.target = next
	_ = target.Callback(next)
}

// Await suspends the body until d has fired and returns its result: the
// value, or the *Failure as the error (errors.Is and errors.As see the
// original error through it). The result is taken over: d's chain goes on
// with nil, and a Failure given to the body is not reported as unhandled. A
// nil d gives (nil, nil). A d whose chain is partway through running (the
// body was resumed from one of its callbacks) is waited for until that
// chain has run to its end, as a callback returning d would be.
func (co *Coroutine) Await(d *Deferred) (any, error) {
	if !co.running || co.yield == nil {
		return nil, ErrNotInCoroutine
	}
	if d == nil {
		return nil, nil
	}
	var r any
	if d.ready() {
		r = d.take()
	} else {
		if !co.yield(d) {
			return nil, ErrNotInCoroutine
		}
		r, co.result = co.result, nil
	}
	if f, failed := r.(*Failure); failed {
		return nil, f
	}
	return r, nil
}

// ready reports whether d holds a result that can be taken now: fired, not
// paused, not running its chain, not waiting for an inner Deferred.
func (d *Deferred) ready() bool {
	_, waits := d.result.(*Deferred)
	return d.fired != notFired && !d.running && d.paused == 0 && !waits
}

// take hands d's current result over to the caller; d goes on with nil.
func (d *Deferred) take() any {
	r := d.result
	d.result = nil
	if d.watch != nil {
		d.disarm()
	}
	return r
}

// Await is Coroutine.Await with the result's type checked: it returns the
// result as a T, or a *ResultTypeError if it is something else. A nil
// result is the zero T when T can be nil (an interface, pointer, slice, map,
// channel or function type).
func Await[T any](co *Coroutine, d *Deferred) (T, error) {
	v, err := co.Await(d)
	if err != nil {
		var zero T
		return zero, err
	}
	return As[T](v)
}

// bodyFunc lets Inline's generic body be called without the machinery being
// generic.
type bodyFunc[T any] func(co *Coroutine) (T, error)

func (f bodyFunc[T]) call(co *Coroutine) (any, error) { return f(co) }

// ResultTypeError is the error of a typed helper (Await, Then, GatherOf,
// As) that received a result of another type than the one it was asked for.
type ResultTypeError struct {
	Want reflect.Type // the type asked for
	Got  any          // the result received
}

func (e *ResultTypeError) Error() string {
	return "deferred: result is " + typeName(e.Got) + ", not " + e.Want.String()
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// As converts a result of the untyped core to a T: v itself if it is one,
// the zero T for a nil v where T can be nil, else a *ResultTypeError.
func As[T any](v any) (T, error) {
	if t, ok := v.(T); ok {
		return t, nil
	}
	var zero T
	if v == nil && nilable(reflect.TypeFor[T]()) {
		return zero, nil
	}
	return zero, &ResultTypeError{Want: reflect.TypeFor[T](), Got: v}
}

func nilable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func:
		return true
	}
	return false
}
