package deferred

import (
	"testing"
	"unsafe"
)

// Each Add method puts exactly one stage on the chain, and a pass-through
// half costs no function.
func TestEachAddMethodAddsOneStage(t *testing.T) {
	pass := func(v any) (any, error) { return v, nil }
	fail := func(f *Failure) (any, error) { return nil, f }
	for name, add := range map[string]func(d *Deferred){
		"AddCallbacks": func(d *Deferred) { d.AddCallbacks(pass, fail) },
		"AddCallback":  func(d *Deferred) { d.AddCallback(pass) },
		"AddErrback":   func(d *Deferred) { d.AddErrback(fail) },
		"AddBoth":      func(d *Deferred) { d.AddBoth(pass) },
	} {
		d := New()
		for i := 1; i <= 10; i++ {
			add(d)
			if len(d.stages) != i {
				t.Fatalf("%s: %d stages after %d calls", name, len(d.stages), i)
			}
		}
	}
	d := New()
	d.AddCallback(pass).AddErrback(fail)
	if d.stages[0].eb != nil || d.stages[1].cb != nil {
		t.Error("a pass-through half holds a function")
	}
}

func TestEnclosingFunction(t *testing.T) {
	for name, want := range map[string]string{
		"main.main.func1":                    "main.main",
		"main.main.func1.2":                  "main.main.func1",
		"gyre/deferred.(*Deferred).run":      "gyre/deferred.(*Deferred).run",
		"gyre/deferred.(*D).runStages.func1": "gyre/deferred.(*D).runStages",
		"main.functional":                    "main.functional",
		"nodots":                             "nodots",
	} {
		if got := enclosingFunction(name); got != want {
			t.Errorf("enclosingFunction(%q) = %q, want %q", name, got, want)
		}
	}
}

// A Deferred with its inline stages fits the 128-byte size class: firing
// benchmarks are dominated by allocation, so a field added carelessly shows.
func TestDeferredSize(t *testing.T) {
	if size := unsafe.Sizeof(Deferred{}); size > 128 {
		t.Errorf("a Deferred takes %d bytes, want at most 128", size)
	}
}
