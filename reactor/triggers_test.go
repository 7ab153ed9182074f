package reactor

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/deferred"
)

// note returns a trigger that appends name to *got.
func note(got *[]string, name string) func() *deferred.Deferred {
	return func() *deferred.Deferred { *got = append(*got, name); return nil }
}

// The phases run in order around the reactor's own work: startup triggers
// before CallWhenRunning's functions (they are After-startup triggers
// themselves, in the order added), shutdown's Before while descriptors are
// still registered, During when they are dropped, After last.
func TestSystemEventOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var got []string
		rfd, _ := pipe(t)
		d := &desc{fd: rfd, name: "pipe"}
		d.onLost = func(error) { got = append(got, "descriptor lost") }
		if err := r.AddReader(d); err != nil {
			t.Fatal(err)
		}
		r.AddSystemEventTrigger(After, Startup, note(&got, "after startup"))
		r.CallWhenRunning(func() { got = append(got, "when running"); r.Stop() })
		r.AddSystemEventTrigger(During, Startup, note(&got, "during startup"))
		r.AddSystemEventTrigger(Before, Startup, note(&got, "before startup"))
		r.AddSystemEventTrigger(After, Shutdown, note(&got, "after shutdown"))
		r.AddSystemEventTrigger(Before, Shutdown, func() *deferred.Deferred {
			got = append(got, "before shutdown")
			if len(r.Readers()) != 1 {
				t.Error("the descriptor was dropped before the Before-shutdown triggers")
			}
			return nil
		})
		r.AddSystemEventTrigger(During, Shutdown, note(&got, "during shutdown"))
		run(t, r)
		want := "before startup|during startup|after startup|when running|before shutdown|descriptor lost|during shutdown|after shutdown"
		if s := strings.Join(got, "|"); s != want {
			t.Errorf("order\n got %s\nwant %s", s, want)
		}
	})
}

// A Before-shutdown trigger's Deferred holds the shutdown, with the loop
// still turning (timers run, connections are served), until it fires.
func TestShutdownWaitsForBeforeDeferred(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var got []string
		r.AddSystemEventTrigger(Before, Shutdown, func() *deferred.Deferred {
			d := deferred.New()
			r.CallLater(time.Millisecond, func() {
				got = append(got, "timer ran during shutdown")
				d.Callback(nil)
			})
			return d
		})
		r.AddSystemEventTrigger(During, Shutdown, note(&got, "during"))
		r.CallWhenRunning(func() { r.Stop() })
		run(t, r)
		if s := strings.Join(got, "|"); s != "timer ran during shutdown|during" {
			t.Errorf("got %s", s)
		}
	})
}

// A Deferred that never fires holds the shutdown only for the timeout.
func TestShutdownTimeoutBoundsTheWait(t *testing.T) {
	r, logs := newReactor(t, DefaultBackend(), WithShutdownTimeout(20*time.Millisecond))
	ran := false
	r.AddSystemEventTrigger(Before, Shutdown, func() *deferred.Deferred { return deferred.New() })
	r.AddSystemEventTrigger(After, Shutdown, func() *deferred.Deferred { ran = true; return nil })
	r.CallWhenRunning(func() { r.Stop() })
	run(t, r)
	if !ran {
		t.Error("the After-shutdown trigger did not run")
	}
	if !strings.Contains(logs.String(), "stopped waiting") {
		t.Errorf("the log does not say the wait was cut short:\n%s", logs)
	}
}

// A Before-startup Deferred holds the rest of the startup (and so the
// CallWhenRunning functions) until it fires.
func TestStartupWaitsForBeforeDeferred(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var got []string
	r.AddSystemEventTrigger(Before, Startup, func() *deferred.Deferred {
		d := deferred.New()
		r.CallLater(time.Millisecond, func() { got = append(got, "fired"); d.Callback(nil) })
		return d
	})
	r.CallWhenRunning(func() { got = append(got, "running"); r.Stop() })
	run(t, r)
	if s := strings.Join(got, "|"); s != "fired|running" {
		t.Errorf("got %s", s)
	}
}

// A Before trigger's Deferred that has already fired when the trigger
// returns (deferred.Succeed), or that a later Before trigger fires, must not
// start the During and After phases before every Before trigger has run.
// Both once ran the rest of the event early and then called a nil resume.
func TestStartupBeforeDeferredFiredDuringPhase(t *testing.T) {
	cases := map[string]func(r *Reactor, got *[]string){
		"already fired": func(r *Reactor, got *[]string) {
			r.AddSystemEventTrigger(Before, Startup, func() *deferred.Deferred {
				*got = append(*got, "before1")
				return deferred.Succeed(nil)
			})
			r.AddSystemEventTrigger(Before, Startup, note(got, "before2"))
		},
		"fired by a later trigger": func(r *Reactor, got *[]string) {
			d := deferred.New()
			r.AddSystemEventTrigger(Before, Startup, func() *deferred.Deferred {
				*got = append(*got, "before1")
				return d
			})
			r.AddSystemEventTrigger(Before, Startup, func() *deferred.Deferred {
				d.Callback(nil)
				*got = append(*got, "before2")
				return nil
			})
		},
	}
	for name, add := range cases {
		t.Run(name, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			var got []string
			add(r, &got)
			r.AddSystemEventTrigger(During, Startup, note(&got, "during"))
			r.CallWhenRunning(func() { got = append(got, "running"); r.Stop() })
			run(t, r)
			if s := strings.Join(got, "|"); s != "before1|before2|during|running" {
				t.Errorf("got %s", s)
			}
		})
	}
}

func TestRemoveSystemEventTrigger(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var got []string
	id := r.AddSystemEventTrigger(After, Startup, note(&got, "removed"))
	r.AddSystemEventTrigger(After, Startup, note(&got, "kept"))
	if err := r.RemoveSystemEventTrigger(id); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveSystemEventTrigger(id); !errors.Is(err, ErrNoTrigger) {
		t.Errorf("second removal = %v, want ErrNoTrigger", err)
	}
	r.CallWhenRunning(func() { r.Stop() })
	run(t, r)
	if s := strings.Join(got, "|"); s != "kept" {
		t.Errorf("got %s", s)
	}
}

// A trigger that panics, or whose Deferred fails, is logged; the event goes
// on.
func TestTriggerFailuresAreContained(t *testing.T) {
	r, logs := newReactor(t, DefaultBackend())
	ran := false
	r.AddSystemEventTrigger(Before, Shutdown, func() *deferred.Deferred { panic("trigger boom") })
	r.AddSystemEventTrigger(Before, Shutdown, func() *deferred.Deferred { return deferred.Fail(io.ErrUnexpectedEOF) })
	r.AddSystemEventTrigger(After, Shutdown, func() *deferred.Deferred { ran = true; return nil })
	r.CallWhenRunning(func() { r.Stop() })
	run(t, r)
	if !ran {
		t.Error("the shutdown did not go on")
	}
	for _, want := range []string{"trigger boom", "unexpected EOF"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// Close on a reactor that never ran runs the shutdown event too, so a
// listening port (dropped in its During phase) is closed and users'
// triggers hear of it.
func TestCloseRunsShutdownTriggers(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var got []string
	r.AddSystemEventTrigger(Before, Shutdown, note(&got, "before"))
	r.AddSystemEventTrigger(After, Shutdown, note(&got, "after"))
	port := listen(t, r, FactoryFunc(func(net.Addr) Protocol { return &BaseProtocol{} }))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got, "|"); s != "before|after" {
		t.Errorf("got %s", s)
	}
	if port.Fd() != -1 {
		t.Error("the port is still open after Close")
	}
}

// The reactor's own triggers (the shutdown's disconnectAll, the startup's
// "running" mark) and CallWhenRunning's functions have no id a user can
// remove: ids are small integers, and RemoveSystemEventTrigger(1) took
// away the shutdown's disconnectAll, so connections open at Stop never
// heard ConnectionLost.
func TestInternalTriggersCannotBeRemoved(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	ran := false
	r.CallWhenRunning(func() { ran = true })
	for id := range TriggerID(64) {
		if err := r.RemoveSystemEventTrigger(id); !errors.Is(err, ErrNoTrigger) {
			t.Errorf("RemoveSystemEventTrigger(%d) = %v, want ErrNoTrigger: no user trigger has that id", id, err)
		}
	}
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(*recorder) { r.Stop() }}
	}}
	port := listen(t, r, srv)
	go func() {
		if c := goDial(t, port.Addr()); c != nil {
			io.Copy(io.Discard, c)
		}
	}()
	run(t, r)
	if !ran {
		t.Error("a CallWhenRunning function did not run")
	}
	if len(srv.all) != 1 {
		t.Fatalf("%d connections", len(srv.all))
	}
	if err := srv.all[0].lostOnce(t); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("connection open at Stop lost with %v, want ErrConnectionLost", err)
	}
}
