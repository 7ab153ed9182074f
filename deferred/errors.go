package deferred

import (
	"errors"
	"fmt"
)

// ErrAlreadyCalled is matched (with errors.Is) by the error that Callback and
// Errback return when the Deferred has already been fired. Firing twice is a
// programming error, but it is returned rather than panicked so that the code
// that drives Deferreds (a reactor, a protocol) can contain and report it
// without tearing down the loop.
var ErrAlreadyCalled = errors.New("deferred: already called")

// ErrCancelled is the error a Deferred fails with when Cancel is called before
// it fired and its canceller (if any) did not fire it.
var ErrCancelled = errors.New("deferred: cancelled")

// errNilError stands in for a nil error given to NewFailure or Errback, or
// a nil *Failure met as a result, so that such a mistake still travels down
// the errback line, as a Failure whose methods work, instead of turning
// into a silent success or a nil dereference.
var errNilError = errors.New("deferred: Failure made from a nil error")

// AlreadyCalledError is the error returned by a second firing. It unwraps to
// ErrAlreadyCalled and names both firings, which is what one needs to find
// the culprit.
type AlreadyCalledError struct {
	Op    string // the refused method: "Callback" or "Errback"
	First string // how the Deferred was fired first: "Callback", "Errback" or "Cancel"
}

func (e *AlreadyCalledError) Error() string {
	return fmt.Sprintf("%v: %s after %s", ErrAlreadyCalled, e.Op, e.First)
}

// Unwrap returns ErrAlreadyCalled.
func (e *AlreadyCalledError) Unwrap() error { return ErrAlreadyCalled }

// PanicError carries a panic value that is not an error. A callback that
// panics with an error value fails with that error itself, as a Python
// callback that raises fails with the exception it raised.
type PanicError struct {
	Value any // what was passed to panic
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
