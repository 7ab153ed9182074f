package reactor

import (
	"os"
	"os/signal"
	"syscall"
)

// handleSignals makes SIGINT and SIGTERM stop the reactor (WithSignalHandling)
// and returns the function that puts things back. The signal arrives on a
// goroutine of os/signal's; Stop is the goroutine-safe way in.
func (r *Reactor) handleSignals() (restore func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case sig := <-ch:
			r.log().Debug("Received signal, shutting down.", "signal", sig.String())
			r.Stop()
		case <-quit:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(quit)
		<-finished
	}
}
