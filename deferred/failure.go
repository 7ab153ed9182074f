package deferred

import (
	"errors"
	"fmt"
	"reflect"
)

// A Failure is an error together with the place where it was caught: the
// result a Deferred carries down its errback line. It plays the part of
// Twisted's twisted.python.failure.Failure.
//
// Error returns the wrapped error's message and Unwrap returns the wrapped
// error, so errors.Is and errors.As see through a Failure. Formatting with
// %+v gives the one-line-plus-frames summary that Python's str(failure)
// prints ("[Failure instance: Traceback...]"); Traceback gives the full
// report. A Failure is immutable once made, so it may be shared between
// goroutines.
type Failure struct {
	err error

	// stack is where the Failure was made or caught, innermost frame
	// first, as runtime.Callers returns it; resolved lazily, since most
	// Failures are handled without anyone reading their traceback. Nil
	// for a recovered panic, whose frames are in resolved.
	stack []uintptr

	// resolved holds, for a recovered panic, every frame from the panic
	// site outwards, innermost first; the first below of them lie below
	// the catch point (from the panic site up to the function that
	// recovered). They are resolved when the panic is caught because the
	// split needs the function names. Nil for any other Failure.
	resolved []frame
	below    int

	// origin is the entry of the callback or errback that returned err,
	// when the Failure was made from a returned error. A returned Go error
	// does not know where it came from; naming the function that returned
	// it is the next best thing.
	origin uintptr
}

// NewFailure wraps err in a Failure that records the stack of its caller.
// A *Failure is returned as it is; a nil error gives a Failure whose message
// says so, rather than no Failure at all.
func NewFailure(err error) *Failure {
	if f, ok := err.(*Failure); ok && f != nil {
		return f
	}
	return newFailure(err, 1)
}

// newFailure makes a Failure whose stack starts skip frames above the
// caller of newFailure (skip 0 = that caller).
func newFailure(err error, skip int) *Failure {
	if err == nil || isNilFailure(err) {
		err = errNilError
	}
	return &Failure{err: err, stack: callers(skip + 1)}
}

// isNilFailure reports a typed nil *Failure hidden in an error interface.
func isNilFailure(err error) bool {
	f, ok := err.(*Failure)
	return ok && f == nil
}

// asFailure returns err as a Failure, wrapping it when needed; the stack
// starts skip frames above the caller of asFailure.
func asFailure(err error, skip int) *Failure {
	if f, ok := err.(*Failure); ok && f != nil {
		return f
	}
	return newFailure(err, skip+1)
}

// returnedFailure wraps an error returned by fn (a Callback or an Errback)
// while the chain runs; the stack is that of the chain runner.
func returnedFailure(err error, fn any) *Failure {
	if f, ok := err.(*Failure); ok && f != nil {
		return f
	}
	f := newFailure(err, 1)
	f.origin = reflect.ValueOf(fn).Pointer()
	return f
}

// NewFailureFromPanic makes a Failure from a value returned by recover. Call
// it directly in the deferred function that called recover: the Failure
// then records the frames from the panic site up to the function that
// deferred the recovery (shown below the "exception caught here" marker),
// and the stack above that function. That function is known by the name of
// the deferred closure ("pkg.f.func1" was deferred by "pkg.f"), so recover
// in a closure: a named function or method deferred directly names no
// caller, and every frame is then shown below the marker. An error value is
// wrapped as it is; any other value is wrapped in a *PanicError.
func NewFailureFromPanic(recovered any) *Failure {
	return panicFailure(recovered, 1)
}

// Error returns the wrapped error's message. An error whose Error method
// panics (a typed nil pointer, the classic Go slip, returned as an error)
// gives "<nil>" or a note of the panic instead: a Failure is formatted
// where nothing may crash, in a report of an unhandled error on a
// runtime goroutine.
func (f *Failure) Error() string { return errorText(f.cause()) }

// errorText is err.Error(), contained.
func errorText(err error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
				s = "<nil>"
				return
			}
			s = fmt.Sprintf("(%T.Error panicked: %v)", err, r)
		}
	}()
	return err.Error()
}

// cause is the wrapped error, never nil, even for a Failure{} made by hand.
func (f *Failure) cause() error {
	if f.err == nil {
		return errNilError
	}
	return f.err
}

// Unwrap returns the wrapped error.
func (f *Failure) Unwrap() error { return f.err }

// Check returns the first target that the wrapped error matches, or nil.
// A target that is an error matches by errors.Is (a sentinel such as
// ErrCancelled, or a comparable error value). Any other target must be a
// non-nil pointer, as errors.As wants (for example &gibberish where gibberish
// is a *GibberishError): it matches by errors.As, which also fills it in.
// Check panics, as errors.As does, on a target that is neither.
func (f *Failure) Check(targets ...any) any {
	for _, t := range targets {
		if matches(f.cause(), t) {
			return t
		}
	}
	return nil
}

// Trap is Check for errbacks that handle only some errors: it returns the
// matching target and a nil error, or, when nothing matches, nil and the
// Failure itself so that the errback can pass it on:
//
//	if _, err := f.Trap(ErrCancelled); err != nil {
//		return nil, err // not ours: let it go down the chain
//	}
func (f *Failure) Trap(targets ...any) (any, error) {
	if t := f.Check(targets...); t != nil {
		return t, nil
	}
	return nil, f
}

func matches(err error, target any) bool {
	if e, ok := target.(error); ok {
		return errors.Is(err, e)
	}
	if target == nil {
		panic("deferred: Check target must be an error or a non-nil pointer, got nil")
	}
	return errors.As(err, target)
}

// Format implements fmt.Formatter: %v and %s print the error message (so a
// Failure reads like any other error), %q quotes it, and %+v prints the
// brief form of the traceback, which is what Python's str(failure) shows:
//
//	[Failure instance: Traceback (failure with no frames): *errors.errorString: I have failed.
//	]
func (f *Failure) Format(s fmt.State, verb rune) {
	switch {
	case verb == 'v' && s.Flag('+'):
		_, _ = fmt.Fprintf(s, "[Failure instance: %s]", f.brief())
	case verb == 'q':
		_, _ = fmt.Fprintf(s, "%q", f.Error())
	default:
		_, _ = fmt.Fprint(s, f.Error())
	}
}

// errorLine is the last line of a traceback: the error's type and message,
// as Python prints the exception's class and value.
func (f *Failure) errorLine() string {
	return fmt.Sprintf("%T: %s", f.cause(), f.Error())
}
