// Package deferred holds gyre's Deferred and Failure: the way asynchronous
// code hands back a result that is not there yet, as Twisted's
// twisted.internet.defer does (parts 7 to 10 of the tutorial).
//
// The package knows nothing of the reactor or of I/O and imports only the
// standard library. A Deferred does not make anything asynchronous: it is a
// chain of functions waiting for a result. Whoever produces the result (a
// protocol when the last byte arrives, a timer, a test) fires the Deferred,
// and the chain runs then, synchronously, on that goroutine.
//
// # The chain
//
// A new Deferred has an empty chain of stages, each a pair of a callback and
// an errback:
//
//	d := deferred.New()
//	d.AddCallbacks(gotPoem, poemFailed) // one pair
//	d.AddCallback(cummingsify)          // cummingsify, pass-through errback
//	d.AddErrback(cummingsifyFailed)     // pass-through callback, the errback
//	d.AddBoth(poemDone)                 // the same function on both lines
//
// Each of the four adds exactly one stage. Firing starts the chain:
// Callback(v) runs the first stage's callback with v; Errback(err) runs its
// errback with a *Failure (err is wrapped unless it is one). Then, stage by
// stage:
//
//   - a callback or errback that returns (value, nil) succeeds: the next
//     stage's callback runs with value;
//   - one that returns a non-nil error fails: the next stage's errback runs
//     with the error as a *Failure (a returned Failure is passed on as it
//     is, so an errback that does not want to handle a failure returns it);
//   - one that panics fails too: the panic is recovered into a Failure that
//     records the frames from the recovery down to the panic;
//   - one that returns a *Deferred makes the chain wait for that inner
//     Deferred; when it fires, the chain goes on with its result, on the
//     line that result calls for.
//
// An errback therefore handles a failure by returning a value, which brings
// the chain back to the callback line, exactly as in Twisted's figures.
//
// Stages added to a Deferred that has already fired run at once, on the
// current result. Pause holds the chain (a result that arrives waits), and
// Unpause lets it go on.
//
// # Firing twice
//
// A Deferred fires once. A second Callback or Errback runs nothing and
// returns an *AlreadyCalledError, which matches ErrAlreadyCalled with
// errors.Is. It is a programming error, yet it is returned rather than
// panicked: the code that fires Deferreds (the reactor, protocols) must be
// able to contain it and report it. A program that treats it as fatal prints
// it and exits, as the tutorial's defer-4 to defer-7 do.
//
// # Cancellation
//
// Cancel abandons a result nobody wants any more. A Deferred made with
// NewWithCanceller calls its canceller, which can stop the work and fire the
// Deferred; if the Deferred is still not fired after that (or has no
// canceller) it fails with ErrCancelled. A Deferred waiting on an inner one
// passes the cancellation to it. A Cancel that comes back to a Deferred
// while its own canceller runs (two Deferreds whose cancellers cancel each
// other) does nothing, since the Cancel in progress will fire it.
//
// # Failures
//
// A *Failure is an error plus the place it was caught: it reads like any
// error (Error, Unwrap, errors.Is, errors.As), and adds Check and Trap for
// errbacks that handle some errors and pass others on, Traceback for the
// full report, and the %+v format for the one-line summary that Python's
// str(failure) prints. Check and Trap take error values (compared with
// errors.Is) and pointers to error variables (filled by errors.As):
//
//	var gibberish *GibberishError
//	switch f.Check(&gibberish, ErrCannotCummingsify) {
//	case &gibberish: ...
//
// Where the Failure comes from decides what its traceback shows. One made
// from an error value (NewFailure, Errback) records the stack where it was
// made and has no frames below the point it was caught, like a Twisted
// Failure made from an exception that was never raised. One made by a chain
// from an error a callback returned names that callback below the marker.
// One made from a panic (inside a chain, or by NewFailureFromPanic in a
// deferred recover) records every frame from the recovery down to the
// panic.
//
// # Unhandled failures
//
// A chain that ends on a Failure with no errback to handle it is a bug. When
// such a Deferred is garbage-collected (only then is it sure that no errback
// will come) its Failure is reported, by default on standard error as
// "Unhandled error in Deferred:" followed by the traceback. The report goes
// through a package-level handler (SetUnhandledErrorHandler), because the
// garbage collector, not a caller, decides when it happens; FlushUnhandled
// collects garbage and waits for the reports, for programs about to exit and
// for tests. The report needs the Deferred to become garbage while its
// Failure is kept apart from it: an error value that refers back to its own
// Deferred (an error type holding the Deferred it failed) keeps the Deferred
// reachable from the report's own record, so it is never collected and never
// reported. Keep such references out of errors.
//
// # Many Deferreds
//
// NewList waits for several Deferreds and reports every outcome in order
// (Twisted's DeferredList, with its fire-on-one-callback, fire-on-one-errback
// and consume-errors options); Gather gives all the results or the first
// failure (Twisted's gatherResults).
//
// # Sequential code
//
// Inline is Twisted's inlineCallbacks: a function written top to bottom
// that awaits Deferreds as if they were blocking calls and returns a
// Deferred of its result.
//
//	d := deferred.Inline(func(co *deferred.Coroutine) (string, error) {
//		poem, err := deferred.Await[string](co, getPoetry(addr))
//		if err != nil {
//			return "", err // a Failure is an error: errors.Is and As match it
//		}
//		return cummingsify(poem)
//	})
//
// The body runs on a coroutine (iter.Pull) that takes turns with whoever
// fires what it awaits, never in parallel with it: started on the reactor's
// goroutine, it needs no locks. An Await of a Deferred that has fired
// already does not suspend. A returned error or a panic fails the
// Deferred; cancelling it cancels the Deferred being awaited, and the
// Deferred still fires with what the body finally returns, which is the
// cancellation's failure unless the body handles it.
//
// # Typed results
//
// The Deferred is untyped at its core, since a chain's stages may change
// the kind of its result. The typed layer sits on it and checks the type
// once, where a value leaves the untyped world, failing with a
// *ResultTypeError on a mismatch: Await[T] in an Inline body, Then[T, U]
// for a typed callback step, GatherOf[T] for a []T, As[T] for a single
// value, and Future[T], a Deferred known to give a T, which typed entry
// points (poetry.GetPoem) return.
//
// # Differences from Twisted
//
// gyre follows Twisted's twisted.internet.defer wherever a program can tell,
// with three deliberate exceptions, each where Twisted's behaviour depends
// on an accident of its implementation:
//
//   - Pause called by a callback stops the chain right after that callback:
//     the stages that follow wait for Unpause. Twisted looks at the pause
//     only before running a Deferred's chain, so there the rest of the chain
//     still runs at once (and Unpause finds nothing left to do).
//   - A callback that returns a Deferred whose own chain is partway through
//     running (one of its callbacks led, directly or not, to this one) makes
//     the chain wait for the rest of that inner chain, and go on with its
//     final result, as for any inner Deferred that is not ready. Twisted
//     takes the inner Deferred's current result on the spot, the value its
//     running callback was given, while that inner chain goes on with what
//     the callback returns. An Await in an Inline body waits likewise.
//   - Two Deferreds whose cancellers cancel each other are each cancelled
//     once (see Cancel); in Twisted the cancellers recurse until Python
//     raises RecursionError.
//
// # Goroutines
//
// A Deferred belongs to one goroutine, normally the reactor's; it uses no
// locks. A Failure is immutable and may be shared. An Inline body runs on a
// goroutine of its own, but only while the goroutine that resumed it waits,
// so it shares that goroutine's ownership.
package deferred
