package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// stoppedBy is the cause of a context cancelled by a stop signal, so that
// the command can exit with that signal's status (130 for SIGINT, 143 for
// SIGTERM), as gyre serve does.
type stoppedBy struct{ sig os.Signal }

func (s stoppedBy) Error() string { return "stopped by " + s.sig.String() }

// notifyStop is signal.NotifyContext for SIGINT and SIGTERM that
// remembers which signal came (see interruptedError).
func notifyStop(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			cancel(stoppedBy{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel(context.Canceled)
	}
}

// interruptedError is the error of a command stopped by a signal: one line
// and the signal's exit status.
func interruptedError(ctx context.Context) error {
	var sb stoppedBy
	if errors.As(context.Cause(ctx), &sb) && sb.sig == syscall.SIGTERM {
		return &exitError{code: signalStatus(sb.sig), err: errors.New("terminated")}
	}
	return &exitError{code: 130, err: errors.New("interrupted")}
}
