package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// stoppedBy is the cause of a context cancelled by a stop signal, so that
// the command can exit with that signal's status (130 for SIGINT, 143 for
// SIGTERM, 129 for SIGHUP), as gyre serve does.
type stoppedBy struct{ sig os.Signal }

func (s stoppedBy) Error() string { return "stopped by " + s.sig.String() }

// notifyStop is signal.NotifyContext for the signals that stop gyre serve
// (SIGINT, SIGTERM, SIGHUP: heededStopSignals) that remembers which signal
// came (see interruptedError). SIGHUP is caught like the others, not left
// to its default action: a terminal closing under gyre get --print > FILE
// killed the process mid-poem, and the part of the poem already streamed
// into FILE stayed there, where only whole poems may be.
func notifyStop(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, heededStopSignals()...)
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

// heededStopSignals are the stopSignals gyre is to catch: all of them,
// less SIGHUP when it was ignored from the start (nohup gyre ...), which
// asks for the run to outlive the terminal. signal.Notify would undo the
// ignoring, so it is asked first.
func heededStopSignals() []os.Signal {
	if !signal.Ignored(syscall.SIGHUP) {
		return stopSignals
	}
	var heeded []os.Signal
	for _, sig := range stopSignals {
		if sig != syscall.SIGHUP {
			heeded = append(heeded, sig)
		}
	}
	return heeded
}

// interruptedError is the error of a command stopped by a signal: one line
// and the signal's exit status.
func interruptedError(ctx context.Context) *exitError {
	var sb stoppedBy
	if errors.As(context.Cause(ctx), &sb) {
		switch sb.sig {
		case syscall.SIGTERM:
			return &exitError{code: signalStatus(sb.sig), err: errors.New("terminated")}
		case syscall.SIGHUP:
			return &exitError{code: signalStatus(sb.sig), err: errors.New("hung up")}
		}
	}
	return &exitError{code: 130, err: errors.New("interrupted")}
}

// stuckGrace is how long an interrupted run may take to stop before gyre
// exits without it.
const stuckGrace = 2 * time.Second

// exitIfStuck exits with the signal's status (see interruptedError) if the
// run has not ended stuckGrace after a stop signal. A loop or a
// progress board blocked writing to a stdout nobody reads (a full pipe, a
// paused terminal) would not see the signal, and since gyre catches the
// signal, the process would not die of it either: it would hang until the
// reader went away.
func exitIfStuck(ctx context.Context, finished <-chan struct{}, stderr io.Writer) {
	select {
	case <-finished:
		return
	case <-ctx.Done():
	}
	select {
	case <-finished:
		return
	case <-time.After(stuckGrace):
	}
	// stderr may be as stuck as stdout: say why if it can, exit anyway.
	ee := interruptedError(ctx)
	go fmt.Fprintf(stderr, "gyre: %v; stdout is not being read, so the run stopped where it was\n", ee.err)
	time.Sleep(100 * time.Millisecond)
	os.Exit(ee.code)
}

// stopOnSignal is notifyStop for a run whose output may stall: if the run
// has not ended stuckGrace after the signal, exitIfStuck ends the process.
// end must be called when the run is over, signalled or not.
func stopOnSignal(ctx context.Context, stderr io.Writer) (_ context.Context, end func()) {
	ctx, stop := notifyStop(ctx)
	finished := make(chan struct{})
	go exitIfStuck(ctx, finished, stderr)
	return ctx, func() {
		close(finished) // before stop: a normal end is no interruption
		stop()
	}
}
