package reactor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"gyre/deferred"
)

// Bridges between the reactor and context.Context, for Go code that
// carries cancellation and deadlines in contexts. A context's Done is
// observed on a goroutine of the context package; each bridge hands it to
// the loop with CallFromGoroutine, so everything it touches stays the
// loop's.

// ErrBlockingCallOnLoop is returned by BlockingCall and BlockingCallContext
// on the loop's own goroutine: the loop would wait for itself forever. On
// the loop, chain on the Deferred (or Await it in a deferred.Inline body)
// instead of blocking.
var ErrBlockingCallOnLoop = errors.New("reactor: BlockingCall on the reactor's own goroutine would wait forever; " +
	"chain on the Deferred instead (AddCallbacks, or Await in deferred.Inline)")

// BlockingCallContext is BlockingCall that also gives up when ctx is done:
// it then cancels the Deferred f returned (on the loop) and returns an
// error matching both ctx's error (context.Canceled or
// context.DeadlineExceeded) and deferred.ErrCancelled. A ctx already done
// when it is called gives that error at once, and f does not run; once f
// has been handed to the loop, it runs even if ctx is done meanwhile, and
// its Deferred is cancelled after it.
func BlockingCallContext(ctx context.Context, r *Reactor, f func() *deferred.Deferred) (any, error) {
	if r.onLoop() {
		return nil, ErrBlockingCallOnLoop
	}
	if err := ctx.Err(); err != nil {
		return nil, cancelledBy(ctx)
	}
	type result struct {
		value any
		err   error
	}
	results := make(chan result, 1)
	var d *deferred.Deferred // the loop's; read only in calls run on the loop
	err := r.CallFromGoroutine(func() {
		func() {
			defer func() {
				if p := recover(); p != nil {
					d = deferred.Fail(deferred.NewFailureFromPanic(p))
				}
			}()
			d = f()
		}()
		if d == nil {
			results <- result{}
			return
		}
		d.AddCallbacks(func(v any) (any, error) {
			results <- result{value: v}
			return v, nil
		}, func(f *deferred.Failure) (any, error) {
			// Handed over to the waiting goroutine, so handled here.
			results <- result{err: f}
			return nil, nil
		})
	})
	if err != nil {
		return nil, err
	}
	select {
	case res := <-results:
		return res.value, res.err
	case <-ctx.Done():
		// The result may have come meanwhile; if not, cancel the work.
		// The Deferred's stage, still to run, sends to a buffered
		// channel nobody reads.
		select {
		case res := <-results:
			return res.value, res.err
		default:
		}
		_ = r.CallFromGoroutine(func() {
			if d != nil {
				d.Cancel()
			}
		})
		return nil, cancelledBy(ctx)
	case <-r.Done():
		select {
		case res := <-results:
			return res.value, res.err
		default:
			return nil, ErrReactorStopped
		}
	}
}

// cancelledBy is the error of work abandoned because ctx is done: it
// matches deferred.ErrCancelled and the context's error and cause.
func cancelledBy(ctx context.Context) error {
	return fmt.Errorf("%w (%w)", deferred.ErrCancelled, whyDone(ctx))
}

// whyDone is why ctx is done: its cause, which matches its error too
// (context.Canceled, context.DeadlineExceeded) even when the cause was
// given by WithCancelCause or WithTimeoutCause and is something else.
// nil if ctx is not done.
func whyDone(ctx context.Context) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	if cause == nil || errors.Is(cause, err) {
		return cause
	}
	return fmt.Errorf("%w: %w", err, cause)
}

// CancelOnDone cancels d when ctx is done, unless d has fired by then, and
// returns d. If d then fails with deferred.ErrCancelled, the failure also
// matches the context's error (context.Canceled or
// context.DeadlineExceeded) and its cause, if it was given one. It adds one stage to
// d's chain, where the chain stands now, which passes the result on and
// forgets ctx. It belongs to the loop goroutine.
func CancelOnDone(r *Reactor, ctx context.Context, d *deferred.Deferred) *deferred.Deferred {
	r.checkLoop("CancelOnDone")
	if ctx.Done() == nil {
		return d // a context that is never done
	}
	settled, byContext := false, false
	stop := context.AfterFunc(ctx, func() {
		_ = r.CallFromGoroutine(func() {
			if !settled {
				byContext = true
				d.Cancel()
			}
		})
	})
	d.AddBoth(func(v any) (any, error) {
		settled = true
		stop()
		if f, failed := v.(*deferred.Failure); failed && byContext && errors.Is(f, deferred.ErrCancelled) {
			return nil, fmt.Errorf("%w (%w)", f, whyDone(ctx))
		}
		return v, nil
	})
	return d
}

// RunContext is Run until ctx is done: then the reactor stops as with Stop.
// It returns what Run returns (nil after a Stop, whoever called it); ctx.Err
// tells whether the context was the reason. A ctx done before the call
// stops the reactor as soon as it starts, after the CallWhenRunning
// functions.
func (r *Reactor) RunContext(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		_ = r.CallFromGoroutine(func() { _ = r.Stop() })
	})
	defer stop()
	return r.Run()
}

// ConnectTCPContext is ConnectTCP with a context instead of a timeout, as
// net.Dialer.DialContext takes one: ctx's deadline, if any, bounds the
// attempt (as ConnectTCP's timeout does: the *ConnectError then matches
// ErrConnectTimeout and context.DeadlineExceeded), and ctx cancelled
// before the connection is made stops the attempt, which fails with a
// *ConnectError that matches ErrConnectCancelled and the context's error
// (context.Canceled, or its cause). Once
// connected, the connection no longer depends on ctx; nor does a new
// attempt the factory makes with Connector.Connect once the first one has
// ended, even when ctx is done in the same instant (it keeps the timeout,
// and its failure is reported as it is). The
// connector's Factory is a wrapper around factory that forwards every call
// to it.
func (r *Reactor) ConnectTCPContext(ctx context.Context, addr string, factory ClientFactory) *Connector {
	r.checkLoop("ConnectTCPContext")
	mustHaveFactory(addr, factory) // before the wrapper hides it
	var timeout time.Duration
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(deadline), time.Nanosecond)
	}
	if ctx.Done() == nil {
		return r.ConnectTCP(addr, factory, timeout)
	}
	w := &ctxClientFactory{ClientFactory: factory, ctx: ctx}
	var c *Connector
	w.stop = context.AfterFunc(ctx, func() {
		// Queued here, run on the loop maybe after the attempt has
		// ended and the factory has started another: only the attempt
		// the context was given for is stopped.
		_ = r.CallFromGoroutine(func() {
			if c != nil && w.isArmed(c) {
				w.cancelled = true
				c.StopConnecting()
			}
		})
	})
	c = r.ConnectTCP(addr, w, timeout)
	return c
}

// ctxClientFactory forgets the context once the attempt is over, and names
// the context in the failure it caused.
type ctxClientFactory struct {
	ClientFactory
	ctx       context.Context
	stop      func() bool
	armed     uint64 // the connector's number for the attempt ctx bounds; 0 before it starts
	cancelled bool
}

// StartedConnecting notes which attempt is the context's: the first.
// Later ones, made with Connector.Connect, are the factory's own.
func (f *ctxClientFactory) StartedConnecting(c *Connector) {
	if f.armed == 0 {
		f.armed = c.attempt
	}
	f.ClientFactory.StartedConnecting(c)
}

// isArmed reports whether c's attempt in progress is the one the context
// bounds.
func (f *ctxClientFactory) isArmed(c *Connector) bool {
	return c.State() == Connecting && f.isMine(c)
}

// isMine reports whether c's latest attempt, in progress or just ended, is
// the one the context bounds.
func (f *ctxClientFactory) isMine(c *Connector) bool {
	return c.attempt == f.armed
}

func (f *ctxClientFactory) BuildProtocol(addr net.Addr) Protocol {
	f.stop()
	return f.ClientFactory.BuildProtocol(addr)
}

func (f *ctxClientFactory) ClientConnectionFailed(c *Connector, reason error) {
	f.stop()
	// A later attempt the factory made with c.Connect owes nothing to
	// the context, even when it fails after the deadline: its failure
	// is its own.
	if !f.isMine(c) {
		f.ClientFactory.ClientConnectionFailed(c, reason)
		return
	}
	switch {
	case f.pastDeadline() && (f.cancelled || errors.Is(reason, ErrConnectTimeout)):
		// Whichever timer came first, the context's or the connector's
		// (both are set to the deadline), the answer is the same; the
		// context may not know yet that its deadline has passed.
		cause := whyDone(f.ctx)
		if cause == nil {
			cause = context.DeadlineExceeded
		}
		reason = &ConnectError{Addr: c.addr, Err: fmt.Errorf("%w (%w)", ErrConnectTimeout, cause)}
	case f.cancelled:
		reason = &ConnectError{Addr: c.addr, Err: fmt.Errorf("%w (%w)", ErrConnectCancelled, whyDone(f.ctx))}
	}
	f.ClientFactory.ClientConnectionFailed(c, reason)
}

// pastDeadline reports whether the context's deadline has come. Its own
// error may not say so yet: the connector's timer, set to the same
// moment, can run first.
func (f *ctxClientFactory) pastDeadline() bool {
	d, ok := f.ctx.Deadline()
	return ok && !time.Now().Before(d)
}
