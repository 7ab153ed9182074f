package reactor

import (
	"os"
	"os/signal"
	"syscall"
)

// handleSignals makes SIGINT and SIGTERM stop the reactor
// (WithSignalHandling) and returns the function that puts things back. A
// SIGINT the process was started with ignored stays ignored, as Twisted
// leaves it (it takes SIGINT only from Python's default handler, and Python
// keeps an inherited SIG_IGN): a shell runs a script's background jobs with
// SIGINT ignored so that the Ctrl-C meant for the script does not reach
// them, and os/signal's Notify would otherwise switch it back on. It
// runs in New, so a signal may come before Run: Stop then fails with
// ErrNotRunning, and the stop is queued with CallFromGoroutine instead,
// where Run finds it on its first turn. The signal arrives on a goroutine
// of os/signal's; Stop and CallFromGoroutine are the goroutine-safe ways in.
// hook, if not nil, runs once the signal has been acted on.
func (r *Reactor) handleSignals(hook func()) (restore func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, handledSignals()...)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case sig := <-ch:
			r.log().Debug("Received signal, shutting down.", "signal", sig.String())
			if r.Stop() != nil {
				// Not running yet, or just starting: the queued Stop
				// runs as soon as it does. (Already stopping or
				// stopped: it is refused, harmlessly.) Testing the state
				// first lost the signal when Run began in between.
				r.CallFromGoroutine(func() { r.Stop() })
			}
			if hook != nil {
				hook()
			}
		case <-quit:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(quit)
		<-finished
	}
}

// restoreSignals gives SIGINT and SIGTERM back to Go's default handling
// when the reactor is done (Run has returned, or Close), if
// WithSignalHandling took them.
func (r *Reactor) restoreSignals() {
	if r.stopSignals != nil {
		r.stopSignals()
		r.stopSignals = nil
	}
}

// handledSignals lists what WithSignalHandling takes: SIGTERM, and SIGINT
// unless the process started with it ignored.
func handledSignals() []os.Signal {
	if signal.Ignored(os.Interrupt) {
		return []os.Signal{syscall.SIGTERM}
	}
	return []os.Signal{os.Interrupt, syscall.SIGTERM}
}
