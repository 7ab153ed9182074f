package reactor

import (
	"context"
	"log/slog"

	"gyre/deferred"
)

// A panic in a callback is recovered by the function that ran the callback
// (call, doRead, doWrite, callLost), turned into a *deferred.Failure right
// there in the deferred function, as deferred.NewFailureFromPanic requires,
// so the Failure records the frames from the recovery down to the panic, and
// logged. The loop then goes on: one broken callback must not stop a server.

// logFailure logs a recovered panic as Twisted logs an exception it caught:
// "Unhandled Error" with the traceback (and, for a descriptor, its log
// prefix as "system", Twisted's name for it). It returns f so that a failing
// DoRead or DoWrite can hand it to ConnectionLost, as Twisted does.
func (r *Reactor) logFailure(f *deferred.Failure, d FileDescriptor) error {
	attrs := []slog.Attr{slog.String("traceback", f.Traceback())}
	if d != nil {
		attrs = append(attrs, slog.String("system", d.LogPrefix()))
	}
	r.log().LogAttrs(context.Background(), slog.LevelError, "Unhandled Error", attrs...)
	return f
}
