package deferred

// The typed layer. The Deferred stays untyped at its core, as Twisted's is:
// a chain's stages may change the kind of result as they go, which no single
// Go type parameter could follow. The helpers here sit on it, so that the
// common paths need no type assertion in user code; each checks the type
// once, where the value leaves the untyped world, and turns a mismatch into
// a *ResultTypeError on the errback line rather than a panic.

// Future is a Deferred whose result is known to be a T: the type of what a
// typed entry point (such as poetry.GetPoem) returns. It is a view, not a
// copy: the Deferred underneath is the one that fires, and it can still be
// used directly. Its result is had once, as a Deferred's is: Await (or
// Handle) takes it over, and the chain goes on with nil after it, so a
// second Await of the same Future gets nil: a *ResultTypeError, or, when T
// can be nil (a slice, map, pointer, interface...), the zero T and no error,
// as Await gives for any nil result. Await a Future once.
//
// The zero Future is ready to use: it stands for the result nil, as a nil
// *Deferred does wherever this package takes one (Coroutine.Await, Gather,
// NewList). Await and Handle give at once the zero T where a T can be nil,
// else a *ResultTypeError; Cancel does nothing, as on a Deferred that has
// fired; Deferred returns nil. So a Future field or variable left unset
// fails (or succeeds) where its result is read, not with a nil dereference.
type Future[T any] struct {
	d *Deferred
}

// Typed returns d as a Future[T]: a promise that d's result is a T. It
// checks nothing now; the typed helpers check when the result arrives.
func Typed[T any](d *Deferred) Future[T] { return Future[T]{d: d} }

// Deferred returns the Deferred underneath: nil for the zero Future.
func (f Future[T]) Deferred() *Deferred { return f.d }

// Await is the typed Await inside an Inline body.
func (f Future[T]) Await(co *Coroutine) (T, error) { return Await[T](co, f.d) }

// Cancel cancels the Deferred underneath; the zero Future has none, and
// its result nil is already there.
func (f Future[T]) Cancel() {
	if f.d != nil {
		f.d.Cancel()
	}
}

// Handle adds a last stage that gives fn the outcome, typed: the value and
// a nil error, or the zero T and the error (a *Failure). The failure counts
// as handled; the chain goes on with nil.
func (f Future[T]) Handle(fn func(v T, err error)) {
	d := f.d
	if d == nil {
		// The zero Future's result is nil, there now: a fired Deferred
		// gives it, so fn runs at once and a panic in it becomes a
		// failure in that chain, as on any other Deferred.
		d = Succeed(nil)
	}
	d.AddCallbacks(func(r any) (any, error) {
		v, err := As[T](r)
		fn(v, err)
		return nil, nil
	}, func(failure *Failure) (any, error) {
		var zero T
		fn(zero, failure)
		return nil, nil
	})
}

// Then adds to d a callback stage that receives the result as a T and
// returns a U, Twisted's addCallback with types. A result that is not a T
// fails the chain with a *ResultTypeError instead of calling f; a failure
// passes by f, as with AddCallback. It returns d as a Future[U].
func Then[T, U any](d *Deferred, f func(T) (U, error)) Future[U] {
	d.AddCallback(func(r any) (any, error) {
		v, err := As[T](r)
		if err != nil {
			return nil, err
		}
		return f(v)
	})
	return Future[U]{d: d}
}

// GatherOf is Gather for inputs that all give a T: it fires with their
// results as a []T, in input order, or fails as Gather does (with a
// *FirstError for the first input that failed, or a *ResultTypeError for
// the first result that is not a T).
func GatherOf[T any](ds ...*Deferred) Future[[]T] {
	return Then(Gather(ds...), func(values []any) ([]T, error) {
		out := make([]T, len(values))
		for i, v := range values {
			t, err := As[T](v)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	})
}

// GatherFutures is GatherOf for Futures.
func GatherFutures[T any](fs ...Future[T]) Future[[]T] {
	ds := make([]*Deferred, len(fs))
	for i, f := range fs {
		ds[i] = f.d
	}
	return GatherOf[T](ds...)
}
