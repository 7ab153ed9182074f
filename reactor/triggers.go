package reactor

import (
	"errors"
	"time"

	"gyre/deferred"
)

// Phase is when a system event trigger runs relative to its event.
type Phase uint8

// The phases of a system event, in order. Before-phase triggers may return a
// Deferred: the During phase waits until every one of them has fired.
const (
	Before Phase = iota
	During
	After
)

func (p Phase) String() string {
	switch p {
	case Before:
		return "before"
	case During:
		return "during"
	}
	return "after"
}

// SystemEvent is a moment in the reactor's life that triggers can hook:
// Twisted's "startup" and "shutdown" system events.
type SystemEvent uint8

const (
	// Startup fires when Run starts. The After phase is where
	// CallWhenRunning functions run.
	Startup SystemEvent = iota
	// Shutdown fires when the loop ends: Stop, a signal with
	// WithSignalHandling, or Close for a reactor that never ran. During
	// its During phase the reactor drops every descriptor still
	// registered (ConnectionLost(ErrConnectionLost)); a Before trigger
	// therefore still finds the connections open (say goodbye to the
	// clients, flush a log).
	Shutdown
)

func (e SystemEvent) String() string {
	if e == Startup {
		return "startup"
	}
	return "shutdown"
}

// TriggerID identifies a trigger for RemoveSystemEventTrigger. The ids
// AddSystemEventTrigger hands out start at 1.
type TriggerID uint64

// internalTrigger is the id of the reactor's own triggers (its shutdown's
// disconnectAll, its startup's "running" mark) and of CallWhenRunning's
// functions: AddSystemEventTrigger never returns it and
// RemoveSystemEventTrigger refuses it, so that guessing an id (they are
// small integers) cannot take away what the reactor relies on.
const internalTrigger TriggerID = 0

// ErrNoTrigger is returned by RemoveSystemEventTrigger for an id that is not
// (or no longer) registered.
var ErrNoTrigger = errors.New("reactor: no such system event trigger")

// DefaultShutdownTimeout bounds how long shutdown waits for the Deferreds of
// Before-shutdown triggers (see WithShutdownTimeout).
const DefaultShutdownTimeout = 30 * time.Second

type trigger struct {
	id TriggerID
	f  func() *deferred.Deferred
}

// eventState is one system event's triggers and how far its firing got.
type eventState struct {
	phases  [3][]trigger
	waiting int    // Before Deferreds not yet fired
	resume  func() // runs the rest once waiting drops to 0
}

// AddSystemEventTrigger arranges for f to run in the given phase of a system
// event (Twisted's addSystemEventTrigger). Triggers of one phase run in the
// order they were added; one added to a phase that has already run never
// runs. f returns a Deferred or nil: in the Before phase the event does not
// go on (the During and After phases wait) until every returned Deferred has
// fired; in the other phases the Deferred is not waited for. A shutdown
// waits at most the shutdown timeout (WithShutdownTimeout) for them, then
// goes on and logs what it stopped waiting for. A panic in f, or a Deferred
// that fails, is logged, and the event goes on.
//
// Like the rest of the reactor it belongs to the loop goroutine (or,
// before Run, to the one that will run it).
func (r *Reactor) AddSystemEventTrigger(phase Phase, event SystemEvent, f func() *deferred.Deferred) TriggerID {
	r.nextTrigger++
	id := r.nextTrigger
	r.appendTrigger(phase, event, trigger{id: id, f: f})
	return id
}

func (r *Reactor) appendTrigger(phase Phase, event SystemEvent, t trigger) {
	ev := &r.events[event]
	ev.phases[phase] = append(ev.phases[phase], t)
}

// RemoveSystemEventTrigger removes a trigger that has not run yet. It returns
// ErrNoTrigger if there is none with that id (it already ran, or was
// removed, or id is not one AddSystemEventTrigger returned: the reactor's
// own triggers cannot be removed).
func (r *Reactor) RemoveSystemEventTrigger(id TriggerID) error {
	if id == internalTrigger {
		return ErrNoTrigger
	}
	for e := range r.events {
		for p := range r.events[e].phases {
			list := r.events[e].phases[p]
			for i, t := range list {
				if t.id == id {
					r.events[e].phases[p] = append(list[:i:i], list[i+1:]...)
					return nil
				}
			}
		}
	}
	return ErrNoTrigger
}

// addTrigger adds one of the reactor's own triggers, which returns nothing
// and cannot be removed (internalTrigger).
func (r *Reactor) addTrigger(phase Phase, event SystemEvent, f func()) {
	r.appendTrigger(phase, event, trigger{id: internalTrigger, f: func() *deferred.Deferred { f(); return nil }})
}

// fireEvent runs the Before phase of event, then, at once or once its
// Deferreds have fired (the loop turning meanwhile), the During and After
// phases. The shutdown has its own sequence (Reactor.beginShutdown), as it
// must bound the wait and end the loop.
func (r *Reactor) fireEvent(event SystemEvent) {
	ev := &r.events[event]
	rest := func() {
		r.runPhase(event, During)
		r.runPhase(event, After)
	}
	// resume stays unset while the Before triggers run: a Deferred that one
	// of them returns already fired (deferred.Succeed), or that a later one
	// fires, brings waiting back to zero inside runPhase, and the rest of
	// the event must still wait for every Before trigger to have run.
	r.runPhase(event, Before)
	if ev.waiting == 0 {
		rest()
		return
	}
	ev.resume = func() {
		ev.resume = nil
		rest()
	}
}

// runPhase runs the triggers of one phase, taking them one at a time so that
// a trigger may add or remove later ones of the same phase.
func (r *Reactor) runPhase(event SystemEvent, phase Phase) {
	ev := &r.events[event]
	for len(ev.phases[phase]) > 0 {
		t := ev.phases[phase][0]
		ev.phases[phase] = ev.phases[phase][1:]
		d := r.runTrigger(t.f)
		r.runEndings()
		if d == nil {
			continue
		}
		if phase != Before {
			d.AddErrback(r.logTriggerFailure(event, phase))
			continue
		}
		ev.waiting++
		d.AddBoth(func(res any) (any, error) {
			if f, ok := res.(*deferred.Failure); ok {
				r.log().Error("system event trigger failed", "event", event.String(), "phase", phase.String(), "error", f)
			}
			if ev.waiting--; ev.waiting == 0 && ev.resume != nil {
				ev.resume()
			}
			return nil, nil
		})
	}
	ev.phases[phase] = nil
}

func (r *Reactor) logTriggerFailure(event SystemEvent, phase Phase) deferred.Errback {
	return func(f *deferred.Failure) (any, error) {
		r.log().Error("system event trigger failed", "event", event.String(), "phase", phase.String(), "error", f)
		return nil, nil
	}
}

// runTrigger calls a trigger, containing a panic.
func (r *Reactor) runTrigger(f func() *deferred.Deferred) (d *deferred.Deferred) {
	defer func() {
		if v := recover(); v != nil {
			r.contained(deferred.NewFailureFromPanic(v), nil, nil)
		}
	}()
	return f()
}
