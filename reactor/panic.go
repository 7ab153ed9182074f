package reactor

import (
	"context"
	"log/slog"

	"gyre/deferred"
)

// A panic in a callback is recovered by the one guard every call into user
// code goes through (call, doRead, doWrite, callLost, the protocol and
// factory calls of the transports, the system event triggers): a deferred
// closure in the function that makes the call,
//
//	defer func() {
//		if v := recover(); v != nil {
//			r.contained(deferred.NewFailureFromPanic(v), d, &err)
//		}
//	}()
//
// The Failure is logged and, where the caller wants it, returned as the
// call's error. The loop then goes on: one broken callback must not stop a
// server.
//
// A closure, not a method deferred directly, because the Failure splits its
// traceback where the panic was caught, and it finds that frame by the
// closure's name ("pkg.f.func1" is deferred by "pkg.f"): the frames of the
// loop above the guard go above Twisted's "exception caught here" marker,
// the callback's below, as in Twisted's own reports. A deferred method
// names no caller, and every frame fell below the marker. recover must be
// called by the deferred function itself, so each closure calls it.

// contained logs f, a recovered panic, naming d (if not nil), and stores it
// in *out (if out is not nil).
func (r *Reactor) contained(f *deferred.Failure, d FileDescriptor, out *error) {
	r.logFailure(f, d)
	if out != nil {
		*out = f
	}
}

// logFailure logs a recovered panic as Twisted logs an exception it caught:
// "Unhandled Error" with the traceback (and, for a descriptor, its log
// prefix as "system", Twisted's name for it).
func (r *Reactor) logFailure(f *deferred.Failure, d FileDescriptor) {
	attrs := []slog.Attr{slog.String("traceback", f.Traceback())}
	if d != nil {
		attrs = append(attrs, slog.String("system", d.LogPrefix()))
	}
	r.log().LogAttrs(context.Background(), slog.LevelError, "Unhandled Error", attrs...)
}
