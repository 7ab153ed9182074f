package reactor

import (
	"context"
	"log/slog"

	"gyre/deferred"
)

// A panic in a callback is recovered by contain, the one guard every call
// into user code goes through (call, doRead, doWrite, callLost, the
// protocol and factory calls of the transports, the system event
// triggers): deferred in the function that makes the call, so that the
// Failure records the frames from the recovery down to the panic, logged,
// and, where the caller wants it, returned as the call's error. The loop
// then goes on: one broken callback must not stop a server.

// contain is deferred by a function that calls user code: it recovers a
// panic, logs it as a *deferred.Failure naming d (if not nil), and stores
// the Failure in *out (if out is not nil). It must be deferred directly
// (recover works only there).
func (r *Reactor) contain(d FileDescriptor, out *error) {
	p := recover()
	if p == nil {
		return
	}
	f := deferred.NewFailureFromPanic(p)
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
