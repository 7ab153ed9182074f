package reconnect

import (
	"errors"
	"fmt"
	"net"
	"time"

	"gyre/reactor"
)

// ErrGaveUp is the reason Factory.GaveUp is given when MaxRetries
// attempts in a row have failed; it wraps the last failure's reason.
var ErrGaveUp = errors.New("reconnect: gave up")

// Factory is Twisted's ReconnectingClientFactory: a client factory that
// connects again after each failed attempt and each lost connection,
// waiting Backoff.Delay(n) before retry n. A successful connection
// (BuildProtocol, once it has built a protocol) resets the count, so the
// next loss waits the initial delay again. With MaxRetries > 0 it retries
// at most that many times in a row and gives up at the next failure
// (GaveUp is then called), until ResetDelay (or a connection made by hand,
// whose BuildProtocol resets); StopTrying stops for good.
//
// Where it differs from Twisted's:
//
//   - MaxRetries 0 (or less) means no limit, as Go's zero value (Twisted:
//     None). To make one attempt and no retry, give up in
//     ClientConnectionFailed.
//   - The jitter is drawn uniformly within Backoff.Jitter of each delay,
//     and each delay is computed afresh from the retry's number; Twisted
//     draws it from a normal distribution and multiplies the last delay,
//     jitter included, so its schedule wanders further.
//   - The first retry waits InitialDelay, the n-th InitialDelay times
//     Factor^(n-1); Twisted multiplies before its first retry, which
//     waits InitialDelay*Factor (about 2.7 s with the defaults).
//   - ResetDelay resumes a factory that gave up on MaxRetries, as
//     Twisted's resetDelay does, but not one stopped by StopTrying.
//     Twisted's resetDelay sets continueTrying back whatever stopped it,
//     so a connection that succeeds just after a stopTrying (the attempt
//     was already under way) revives the factory; here StopTrying is
//     final.
//
// Build protocols with the embedded BaseFactory's Protocol. A type that
// embeds Factory and defines its own BuildProtocol, ClientConnectionFailed
// or ClientConnectionLost must call Factory's too (f.Factory.BuildProtocol
// resets the delay; the others schedule the retry).
type Factory struct {
	reactor.BaseFactory
	Backoff
	// Clock schedules the retries (the reactor, or a task.Clock in tests);
	// nil means the connector's own (Connector.Clock).
	Clock reactor.Clock
	// MaxRetries is how many retries in a row are made (0: no limit).
	MaxRetries int
	// GaveUp, if set, is called when the factory gives up, with ErrGaveUp
	// wrapping the last reason. It is not called after StopTrying.
	GaveUp func(reason error)
	// Retrying, if set, is told of each retry scheduled: its number, the
	// delay, and why the last attempt ended.
	Retrying func(n int, delay time.Duration, reason error)

	retries   int
	stopped   bool // by StopTrying: final
	gaveUp    bool // on MaxRetries: until ResetDelay
	call      *reactor.DelayedCall
	connector *reactor.Connector
}

// BuildProtocol builds the protocol of a connection that has just
// succeeded, and resets the delay if it built one. A nil protocol (no
// Protocol set) refuses the connection, which then fails as an attempt
// does: resetting there would retry at InitialDelay for ever and never
// reach MaxRetries.
func (f *Factory) BuildProtocol(addr net.Addr) reactor.Protocol {
	p := f.BuildProtocolFor(f, addr)
	if p != nil {
		f.ResetDelay()
	}
	return p
}

// StartedConnecting keeps the connector, for StopTrying.
func (f *Factory) StartedConnecting(c *reactor.Connector) { f.connector = c }

// ClientConnectionFailed schedules a retry.
func (f *Factory) ClientConnectionFailed(c *reactor.Connector, reason error) { f.retry(c, reason) }

// ClientConnectionLost schedules a retry.
func (f *Factory) ClientConnectionLost(c *reactor.Connector, reason error) { f.retry(c, reason) }

// ResetDelay makes the next retry the first again, and resumes a factory
// that gave up on MaxRetries (not one stopped by StopTrying): a later
// failure or loss is retried again. A retry already waiting keeps its
// delay.
func (f *Factory) ResetDelay() { f.retries, f.gaveUp = 0, false }

// Retries returns how many retries have been made since the last success.
func (f *Factory) Retries() int { return f.retries }

// Trying reports whether the factory still reconnects (StopTrying has not
// been called, and it has not given up since the last ResetDelay).
func (f *Factory) Trying() bool { return !f.stopped && !f.gaveUp }

// StopTrying stops for good: a retry waiting is cancelled and an attempt
// in progress abandoned (its ClientConnectionFailed then schedules
// nothing). An established connection is left alone.
func (f *Factory) StopTrying() {
	f.stopped = true
	if f.call != nil && f.call.Active() {
		f.call.Cancel()
	}
	f.call = nil
	if c := f.connector; c != nil && c.State() == reactor.Connecting {
		c.StopConnecting()
	}
}

func (f *Factory) retry(c *reactor.Connector, reason error) {
	f.connector = c
	if !f.Trying() {
		return
	}
	f.retries++
	if f.MaxRetries > 0 && f.retries > f.MaxRetries {
		f.gaveUp = true
		if f.GaveUp != nil {
			f.GaveUp(fmt.Errorf("%w after %d attempts: %w", ErrGaveUp, f.retries, reason))
		}
		return
	}
	d := f.Delay(f.retries)
	clock := f.Clock
	if clock == nil {
		clock = c.Clock()
	}
	f.call = clock.CallLater(d, func() {
		f.call = nil
		if f.Trying() {
			c.Connect()
		}
	})
	if f.Retrying != nil {
		f.Retrying(f.retries, d, reason)
	}
}

var _ reactor.ClientFactory = (*Factory)(nil)
