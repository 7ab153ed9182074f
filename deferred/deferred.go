package deferred

import (
	"errors"
	"math"
	"reflect"
)

// Callback is a function on the callback line of a chain. It receives the
// current result and returns the next one. Returning a non-nil error (or
// panicking) sends the chain down the errback line; returning a *Deferred
// makes the chain wait for that Deferred and go on with its result. If that
// Deferred's own chain is partway through running (this callback runs
// because one of its callbacks fired this chain), the chain waits for the
// rest of it and takes its final result, where Twisted would take its
// current result at once (see "Differences from Twisted" in the package
// documentation).
type Callback func(result any) (any, error)

// Errback is a function on the errback line of a chain. It receives the
// current Failure. Returning (value, nil) handles the failure: the chain goes
// back to the callback line with value. Returning the Failure (or any error)
// passes the failure on.
type Errback func(f *Failure) (any, error)

// stage is one callback/errback pair of a chain. A nil half passes the
// result on unchanged, which costs neither a closure nor a call. An AddBoth
// stage carries bothMarker as its errback: cb then runs on both lines. The
// stage is kept to two words because firing walks an array of them.
type stage struct {
	cb Callback
	eb Errback
}

// bothMarker is never called: it marks an AddBoth stage (see stage).
var bothMarker Errback = func(f *Failure) (any, error) { return nil, f }

// bothMarkerPC identifies bothMarker: Go cannot compare functions, but their
// code addresses can be compared.
var bothMarkerPC = reflect.ValueOf(bothMarker).Pointer()

func isBoth(eb Errback) bool { return reflect.ValueOf(eb).Pointer() == bothMarkerPC }

// firing records how a Deferred was fired, for the AlreadyCalledError.
type firing uint8

const (
	notFired firing = iota
	firedByCallback
	firedByErrback
	firedByCancel
	// cancelledForgiving is firedByCancel for a Deferred that had no
	// canceller: its source, unaware, may still fire it once, and that
	// late result is dropped silently.
	cancelledForgiving
)

func (f firing) String() string {
	switch f {
	case firedByCallback:
		return "Callback"
	case firedByErrback:
		return "Errback"
	case firedByCancel, cancelledForgiving:
		return "Cancel"
	}
	return "nothing"
}

// A Deferred is a promise of a result that is not there yet, with a chain of
// callback/errback pairs to run on it once it is. See the package
// documentation. A Deferred is not safe for use by several goroutines at
// once: like the reactor that usually fires it, it belongs to one goroutine.
// The zero value is a Deferred ready to use; a Deferred must not be copied
// (its chain may live inside it).
type Deferred struct {
	stages []stage // the chain; starts in inline

	// result is the current result: a value on the callback line, a
	// *Failure on the errback line, or the inner *Deferred this one waits
	// for.
	result any

	canceller func(*Deferred)
	watch     *watch // set while the chain ends on an unhandled Failure

	// The small fields share one word, which keeps a Deferred with its
	// inline stages in a 128-byte allocation.
	next    int32  // index of the first stage that has not run
	paused  uint16 // Pause nesting
	fired   firing
	running bool // the chain loop is on the stack: new stages join it

	// inline holds the first stages, so that a typical chain costs no
	// allocation beyond the Deferred itself.
	inline [inlineStages]stage
}

// inlineStages is how many stages live inside the Deferred; most chains in
// practice have a handful of pairs. Past that the chain moves to the heap,
// growing threefold each time to keep long chains to few allocations.
const inlineStages = 4

// New returns a Deferred that has not fired yet, with an empty chain.
func New() *Deferred { return &Deferred{} }

// NewWithCanceller returns a Deferred whose Cancel calls canceller (with the
// Deferred) first, so the source of the result can stop its work and fire
// the Deferred as it sees fit. If the canceller does not fire it, Cancel
// fails it with ErrCancelled.
func NewWithCanceller(canceller func(*Deferred)) *Deferred {
	return &Deferred{canceller: canceller}
}

// Succeed returns a Deferred already fired with v.
func Succeed(v any) *Deferred {
	d := New()
	_ = d.Callback(v) // a new Deferred cannot have been fired
	return d
}

// Fail returns a Deferred already failed with err (wrapped in a Failure
// that records the caller's stack unless it is one).
func Fail(err error) *Deferred {
	d := &Deferred{fired: firedByErrback, result: asFailure(err, 1)}
	d.run()
	return d
}

// AddCallbacks adds one stage to the chain: cb on the callback line and eb
// on the errback line. A nil half passes the result (or the failure) on
// unchanged. If the Deferred has fired (and is not paused) the stage runs at
// once on the current result. It returns d, so that calls can be chained.
func (d *Deferred) AddCallbacks(cb Callback, eb Errback) *Deferred {
	d.add(stage{cb: cb, eb: eb})
	return d
}

// AddCallback adds a stage with cb on the callback line and a pass-through
// errback.
func (d *Deferred) AddCallback(cb Callback) *Deferred {
	d.add(stage{cb: cb})
	return d
}

// AddErrback adds a stage with a pass-through callback and eb on the errback
// line.
func (d *Deferred) AddErrback(eb Errback) *Deferred {
	d.add(stage{eb: eb})
	return d
}

// AddBoth adds a stage that runs fn on both lines: fn receives the result,
// or the *Failure when the chain is on the errback line. Like any callback,
// its return value decides the line of the next stage; returning a *Failure
// as a value keeps the chain on the errback line, so `return result, nil`
// passes anything on.
func (d *Deferred) AddBoth(fn func(result any) (any, error)) *Deferred {
	if fn == nil {
		d.add(stage{})
	} else {
		d.add(stage{cb: fn, eb: bothMarker})
	}
	return d
}

func (d *Deferred) add(s stage) {
	if len(d.stages) == cap(d.stages) {
		d.grow()
	}
	d.stages = append(d.stages, s)
	if d.fired != notFired {
		d.run()
	}
}

func (d *Deferred) grow() {
	if d.stages == nil {
		d.stages = d.inline[:0]
		return
	}
	grown := make([]stage, len(d.stages), 3*cap(d.stages))
	copy(grown, d.stages)
	clear(d.stages)
	d.stages = grown
}

// Callback fires the Deferred with v: the first stage's callback runs with
// it, synchronously, and so on down the chain. If v is a *Failure the chain
// starts on the errback line (a nil *Failure, here or returned by a
// callback, fails as Errback(nil) does); if it is a *Deferred, d waits for
// it (a nil *Deferred, here or returned by a callback, is the value nil).
// Firing a Deferred that has already fired runs nothing and returns an
// *AlreadyCalledError (matching ErrAlreadyCalled), except once after a
// Cancel without a canceller, when the late result is dropped silently.
func (d *Deferred) Callback(v any) error {
	if d.fired != notFired {
		return d.refire("Callback")
	}
	d.fired = firedByCallback
	if inner, ok := v.(*Deferred); ok {
		d.result = nil
		if inner != nil && d.chain(inner) {
			return nil
		}
	} else {
		d.result = v
	}
	d.run()
	return nil
}

// Errback fires the Deferred with a failure: err is wrapped in a Failure
// (recording the caller's stack) unless it is one, and the first stage's
// errback runs with it. Firing twice is refused as for Callback.
func (d *Deferred) Errback(err error) error {
	if d.fired != notFired {
		return d.refire("Errback")
	}
	d.fired = firedByErrback
	d.result = asFailure(err, 1)
	d.run()
	return nil
}

func (d *Deferred) refire(op string) error {
	if d.fired == cancelledForgiving {
		d.fired = firedByCancel
		return nil
	}
	return &AlreadyCalledError{Op: op, First: d.fired.String()}
}

// Called reports whether the Deferred has been fired (by Callback, Errback
// or Cancel).
func (d *Deferred) Called() bool { return d.fired != notFired }

// Pause stops the chain from running: a result that arrives, or callbacks
// added after firing, wait until the matching Unpause. Pauses nest. Called
// by a callback of d's own chain, it stops the chain after that callback:
// the stages that follow wait for Unpause (Twisted would run them at once;
// see "Differences from Twisted" in the package documentation).
func (d *Deferred) Pause() {
	if d.paused == math.MaxUint16 {
		panic("deferred: Pause nested too deeply")
	}
	d.paused++
}

// Unpause undoes one Pause; when none is left and the Deferred has fired,
// the waiting stages run. Unpausing a Deferred that is not paused does
// nothing.
func (d *Deferred) Unpause() {
	if d.paused == 0 {
		return
	}
	d.paused--
	if d.paused == 0 && d.fired != notFired {
		d.run()
	}
}

// Cancel asks for the result to be abandoned. On a Deferred that has not
// fired, it calls the canceller given to NewWithCanceller, if any, and then,
// if the Deferred has still not fired, fails it with ErrCancelled. On a
// Deferred that waits for an inner Deferred returned by a callback, it
// cancels the inner one. Otherwise it does nothing. A panic in the canceller
// reaches the caller of Cancel, and leaves the Deferred as it was.
//
// A Cancel of d made while d's own canceller runs (directly, or through
// other Deferreds whose cancellers cancel d back: two Deferreds that cancel
// each other) does nothing: the Cancel in progress finishes the job, so
// cancellers that reach each other end instead of recursing until the stack
// overflows.
func (d *Deferred) Cancel() {
	if d.fired == notFired {
		d.cancelUnfired()
		return
	}
	if inner, ok := d.result.(*Deferred); ok {
		inner.Cancel()
	}
}

// cancelUnfired is Cancel on a Deferred that has not fired. While the
// canceller runs, d.canceller holds the cancelling marker, which is how a
// Cancel that comes back to d knows to do nothing: the Deferred has no room
// for another field within its size class.
func (d *Deferred) cancelUnfired() {
	fired := cancelledForgiving
	if c := d.canceller; c != nil {
		if isCancelling(c) {
			return
		}
		d.runCanceller(c)
		fired = firedByCancel
	}
	if d.fired == notFired {
		d.fired = fired
		d.result = newFailure(ErrCancelled, 2)
		d.run()
	}
}

// runCanceller calls c with d, with d marked as cancelling until c returns
// or panics.
func (d *Deferred) runCanceller(c func(*Deferred)) {
	d.canceller = cancelling
	defer func() { d.canceller = c }()
	c(d)
}

// cancelling is never called: it stands in d.canceller while the canceller
// runs (see cancelUnfired).
var cancelling = func(*Deferred) {}

// cancellingPC identifies cancelling by its code address, as bothMarkerPC
// does bothMarker.
var cancellingPC = reflect.ValueOf(cancelling).Pointer()

func isCancelling(c func(*Deferred)) bool { return reflect.ValueOf(c).Pointer() == cancellingPC }

// errSelfChain is the failure of a callback that returns its own Deferred,
// which could only wait for itself forever.
var errSelfChain = errors.New("deferred: a callback returned the Deferred it belongs to")

// run runs the chain from the next stage on, until it is exhausted, paused,
// or waiting for an inner Deferred, then notes whether it ended on an
// unhandled Failure.
//
// When a Deferred that another one waits for hands its result over (the
// continuation stage that chain adds), the waiting one runs next in this
// same loop, and the loop comes back afterwards to what is left of the
// first: a stack of suspended chains, as Twisted's _runCallbacks keeps,
// instead of a call per level. A result that climbs out through a
// thousand waiting Deferreds thus uses the stack of one.
func (d *Deferred) run() {
	if d.running || d.paused > 0 {
		return // the running loop picks up new stages; Unpause resumes
	}
	if _, waiting := d.result.(*Deferred); waiting {
		return
	}
	var spare [4]*Deferred // the suspended chains, on the stack while few
	suspended := spare[:0]
	cur := d
	cur.running = true
	for {
		finished, outer := cur.runStages()
		if !finished {
			continue // a panic ended the loop: go on from the next stage
		}
		if outer != nil {
			if outer.running || outer.paused > 0 {
				continue // its own loop, or its Unpause, takes the result
			}
			suspended = append(suspended, cur)
			cur = outer
			cur.running = true
			continue
		}
		cur.settle()
		if len(suspended) == 0 {
			return
		}
		cur = suspended[len(suspended)-1]
		suspended = suspended[:len(suspended)-1]
	}
}

// settle ends a run of the chain: the stages that ran are let go, and an
// unhandled Failure at the end is watched for.
func (d *Deferred) settle() {
	d.running = false
	clear(d.stages[:d.next]) // let the callbacks that ran be collected
	if int(d.next) == len(d.stages) {
		d.stages, d.next = d.stages[:0], 0
	}
	if f, failing := d.result.(*Failure); failing {
		if f == nil {
			f = nilFailure()
			d.result = f
		}
		d.arm(f)
	} else if d.watch != nil {
		d.disarm()
	}
}

// runStages is the hot path. A pass-through half costs a comparison; a call
// costs the call. One deferred recover covers the whole loop: a panic ends
// the loop with the Failure as the result, and run calls runStages again to
// go on from the next stage. It reports whether the loop ended without a
// panic, and outer when it stopped at a continuation stage that handed
// d's result to the Deferred outer, which waited for d: run runs outer
// next, then comes back to d.
func (d *Deferred) runStages() (finished bool, outer *Deferred) {
	defer func() {
		if r := recover(); r != nil {
			d.result = panicFailure(r, 0)
		}
	}()
	// The result is kept in a local while the loop runs (nothing reads
	// d.result of a running chain) and stored on the way out.
	result := d.result
	for int(d.next) < len(d.stages) && d.paused == 0 {
		s := d.stages[d.next]
		d.next++
		var err error
		if f, failing := result.(*Failure); failing {
			if f == nil {
				f = nilFailure()
				result = f
			}
			switch {
			case s.eb == nil:
				continue
			case isBoth(s.eb):
				result, err = s.cb(f)
				if err != nil {
					if err == errContinue {
						d.result = nil
						return true, result.(*Deferred)
					}
					result = returnedFailure(err, s.cb)
					continue
				}
			default:
				result, err = s.eb(f)
				if err != nil {
					result = returnedFailure(err, s.eb)
					continue
				}
			}
		} else {
			if s.cb == nil {
				continue
			}
			result, err = s.cb(result)
			if err != nil {
				if err == errContinue {
					d.result = nil
					return true, result.(*Deferred)
				}
				result = returnedFailure(err, s.cb)
				continue
			}
		}
		if inner, ok := result.(*Deferred); ok {
			d.result = nil
			if inner != nil && d.chain(inner) {
				return true, nil
			}
			result = d.result // nil for a nil *Deferred: nothing to wait for
		}
	}
	d.result = result
	return true, nil
}

// nilFailure replaces a nil *Failure met as a result (given to Callback, or
// returned as a value by a callback): it is on the errback line, being a
// *Failure, but an errback could call none of its methods. It fails as
// Errback(nil) does, with a message saying what happened.
func nilFailure() *Failure { return newFailure(errNilError, 1) }

// errContinue is what a continuation stage returns, with the Deferred
// that waited, so that runStages hands over to it (see run). It never
// leaves the package.
var errContinue = errors.New("deferred: continue with the outer chain")

// chain deals with a callback that returned inner. If inner has a result
// ready, d takes it over at once (inner is left with nil, as in Twisted);
// otherwise d waits, and a stage added to inner will resume d. It reports
// whether d now waits.
func (d *Deferred) chain(inner *Deferred) bool {
	if inner == d {
		d.result = newFailure(errSelfChain, 1)
		return false
	}
	_, innerWaits := inner.result.(*Deferred)
	if inner.fired != notFired && !inner.running && inner.paused == 0 && !innerWaits {
		d.result, inner.result = inner.result, nil
		if inner.watch != nil {
			inner.disarm() // its failure is d's to handle now
		}
		return false
	}
	d.result = inner
	resume := func(r any) (any, error) {
		// The result now belongs to the outer chain (inner keeps nil),
		// which the loop running inner runs next.
		d.result = r
		return d, errContinue
	}
	if len(inner.stages) == cap(inner.stages) {
		inner.grow()
	}
	inner.stages = append(inner.stages, stage{cb: resume, eb: bothMarker})
	return true
}
