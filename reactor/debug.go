package reactor

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
)

// DebugEnv is the environment variable New reads when no WithDebug option is
// given: GYRE_DEBUG=1 (or any true value strconv.ParseBool accepts) turns
// the debug checks on for every reactor of the process, so a program can be
// checked without a flag of its own. A value that is not a boolean makes New
// fail.
const DebugEnv = "GYRE_DEBUG"

// WithDebug turns the debug checks on or off, whatever GYRE_DEBUG says.
//
// With the checks on, a loop-only method (CallLater, CallWhenRunning,
// ListenTCP, ConnectTCP, ConnectTCPContext, ListenTLS, ConnectTLS,
// ListenUnix, ConnectUnix, ListenUDP, AddReader, AddWriter, RemoveReader,
// RemoveWriter, PendingCalls, DeferToGoroutine, CancelOnDone, a UDP port's
// Write, and a connection's Write, WriteShared, WriteSequence,
// LoseConnection and AbortConnection) called from a goroutine other than
// the loop's while the reactor runs panics, with a message naming the
// method and the fix, instead of racing with the loop. The check reads
// the goroutine's identity from its traceback, since Go hides goroutine ids:
// a few microseconds per call (BenchmarkLoopCheck), for development and
// tests. Off, it costs one predictable branch, under 2 ns.
//
// Code inside a deferred.Inline body runs on a coroutine that the loop
// resumes and waits for, so it counts as the loop. The check cannot tell
// which goroutine resumed a body, though: an Inline body driven by another
// goroutine (or by another reactor's loop) counts as this loop too, and
// passes the check (BlockingCall from such a body is refused likewise).
// Finding out would cost every resume a goroutine id.
func WithDebug(on bool) Option {
	return func(c *config) { c.debug = &on }
}

// goBridges is the reactor's share of the bridges to Go's way of doing
// things: the debug checks, and the goroutine pool of DeferToGoroutine.
type goBridges struct {
	debug    bool
	loopGoid atomic.Int64 // the goroutine in Run; 0 outside Run

	poolSize, poolQueue int
	pool                *goroutinePool // made by the first DeferToGoroutine
}

// resolveBridges checks the bridge options and fills in their defaults, or
// reads GYRE_DEBUG, before New makes anything it would have to undo.
func (c *config) resolveBridges() error {
	if c.debug == nil && os.Getenv(DebugEnv) != "" {
		on, err := strconv.ParseBool(os.Getenv(DebugEnv))
		if err != nil {
			return fmt.Errorf("reactor: %s=%q is not a boolean (1, true, 0, false)", DebugEnv, os.Getenv(DebugEnv))
		}
		c.debug = &on
	}
	if !c.poolSet {
		c.poolSize, c.poolQueue = DefaultGoroutinePoolSize, DefaultGoroutinePoolQueue
	}
	if c.poolSize < 1 || c.poolQueue < 0 {
		return fmt.Errorf("reactor: a goroutine pool needs at least 1 goroutine and a queue of 0 or more, not %d and %d",
			c.poolSize, c.poolQueue)
	}
	return nil
}

// init applies the resolved options to a new reactor.
func (b *goBridges) init(c *config) {
	b.debug = c.debug != nil && *c.debug
	b.poolSize, b.poolQueue = c.poolSize, c.poolQueue
}

// enterLoop records the goroutine of Run; the function it returns forgets
// it. Run calls it first: defer r.enterLoop()().
func (r *Reactor) enterLoop() (leave func()) {
	r.goBridges.loopGoid.Store(goid())
	return func() { r.goBridges.loopGoid.Store(0) }
}

// onLoop reports whether the caller is taking the loop's turn: on the loop
// goroutine, or in a deferred.Inline body the loop resumed. It is false
// when the reactor is not running.
func (r *Reactor) onLoop() bool {
	loop := r.goBridges.loopGoid.Load()
	if loop == 0 {
		return false
	}
	return callerIs(loop)
}

// checkLoop is the debug check at the top of a loop-only method.
func (r *Reactor) checkLoop(method string) {
	if r.goBridges.debug {
		r.mustBeOnLoop(method)
	}
}

func (r *Reactor) mustBeOnLoop(method string) {
	loop := r.goBridges.loopGoid.Load()
	if loop == 0 {
		return // not running: the goroutine that will run it sets things up
	}
	if !callerIs(loop) {
		panic(fmt.Sprintf("reactor: %s called from goroutine %d, but it belongs to the reactor's goroutine %d; "+
			"from another goroutine, hand the work to the loop with r.CallFromGoroutine(func() { ... }) "+
			"(or reactor.BlockingCall to wait for a result)", method, goid(), loop))
	}
}
