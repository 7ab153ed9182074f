package task

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"gyre/reactor"
)

func TestClockAdvanceRunsDueCallsInOrder(t *testing.T) {
	c := NewClock()
	start := c.Now()
	if !start.Equal(time.Unix(0, 0)) {
		t.Errorf("a new Clock starts at %v, want the Unix epoch", start)
	}
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, fmt.Sprintf("%s@%v", name, c.Now().Sub(start))) }
	}
	c.CallLater(2*time.Second, at("b"))
	c.CallLater(time.Second, at("a1"))
	c.CallLater(time.Second, at("a2"))
	c.CallLater(3*time.Second, at("c"))
	c.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("ran %v before their time", got)
	}
	c.Advance(time.Millisecond + time.Second) // to 2 s: a1, a2 and b, all seeing 2 s
	if s := fmt.Sprint(got); s != "[a1@2s a2@2s b@2s]" {
		t.Errorf("after 2 s: %s", s)
	}
	if p := c.Pending(); len(p) != 1 || !p[0].Time().Equal(start.Add(3*time.Second)) {
		t.Errorf("Pending = %v", p)
	}
	c.Pump(500*time.Millisecond, 500*time.Millisecond)
	if s := fmt.Sprint(got); s != "[a1@2s a2@2s b@2s c@3s]" {
		t.Errorf("after 3 s: %s", s)
	}
}

// Calls scheduled by calls run within the same Advance if they are due by
// its end, as in Twisted; calls cancelled by an earlier call do not run.
func TestClockReentrancy(t *testing.T) {
	c := NewClock()
	var got []string
	var victim, moved *reactor.DelayedCall
	c.CallLater(time.Second, func() {
		got = append(got, "first")
		c.CallLater(0, func() { got = append(got, "zero-delay child") })
		c.CallLater(500*time.Millisecond, func() { got = append(got, "child due later") })
		if err := victim.Cancel(); err != nil {
			t.Error(err)
		}
		if err := moved.Reset(0); err != nil {
			t.Error(err)
		}
	})
	victim = c.CallLater(time.Second, func() { got = append(got, "victim") })
	moved = c.CallLater(time.Hour, func() { got = append(got, "moved forward") })
	c.CallLater(time.Second, func() { got = append(got, "sibling") })
	c.Advance(time.Second)
	if s := fmt.Sprint(got); s != "[first sibling zero-delay child moved forward]" {
		t.Errorf("after 1 s: %s", s)
	}
	c.Advance(500 * time.Millisecond)
	if got[len(got)-1] != "child due later" || len(got) != 5 {
		t.Errorf("after 1.5 s: %v", got)
	}
	if !errors.Is(victim.Cancel(), reactor.ErrAlreadyCancelled) {
		t.Error("victim not cancelled")
	}
}

func TestClockDelayedCallMethods(t *testing.T) {
	c := NewClock()
	ran := 0
	dc := c.CallLater(time.Second, func() { ran++ })
	if err := dc.Delay(time.Second); err != nil {
		t.Fatal(err)
	}
	c.Advance(1500 * time.Millisecond)
	if ran != 0 {
		t.Fatal("a delayed call ran at its old time")
	}
	if err := dc.Reset(time.Second); err != nil { // due at 2.5 s
		t.Fatal(err)
	}
	c.Advance(600 * time.Millisecond)
	if ran != 0 {
		t.Fatal("a reset call ran at its old time")
	}
	c.Advance(400 * time.Millisecond)
	if ran != 1 || dc.Active() || !dc.Called() {
		t.Fatalf("ran %d, Active %v, Called %v", ran, dc.Active(), dc.Called())
	}
	if !errors.Is(dc.Cancel(), reactor.ErrAlreadyCalled) {
		t.Error("Cancel after the call did not return ErrAlreadyCalled")
	}
}

func TestClockPanicReachesAdvance(t *testing.T) {
	c := NewClock()
	c.CallLater(0, func() { panic("boom") })
	ran := false
	c.CallLater(time.Second, func() { ran = true })
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach Advance")
			}
		}()
		c.Advance(0)
	}()
	c.Advance(time.Second)
	if !ran {
		t.Error("the clock was not usable after a panic")
	}
}

func TestZeroClock(t *testing.T) {
	var c Clock
	ran := false
	c.CallLater(time.Second, func() { ran = true })
	c.Advance(time.Second)
	if !ran {
		t.Error("the zero Clock did not run a due call")
	}
}

func TestClockAdvanceNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Advance(-1s) did not panic")
		}
	}()
	NewClock().Advance(-time.Second)
}

// A clock advanced to the end of its scale (292 years after its start) and
// beyond returns: a LoopingCall rescheduling itself there lands on the
// saturated instant, which is never due. It ran for ever before (22
// million calls in 3 s).
func TestClockAdvanceToTheScalesEndReturns(t *testing.T) {
	c := NewClock()
	c.Advance(time.Hour)
	far := c.CallLater(time.Duration(math.MaxInt64), func() {}) // past the end
	calls := 0
	lc := NewLoopingCall(c, func() error { calls++; return nil })
	lc.Start(time.Second, true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Advance(time.Duration(math.MaxInt64))
		c.Advance(time.Duration(math.MaxInt64))
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Advance to the scale's end did not return; %d calls so far", calls)
	}
	if calls != 2 {
		t.Errorf("the loop ran %d times, want 2 (at the start, and once on the first Advance)", calls)
	}
	if !far.Active() {
		t.Error("a call beyond the scale's end ran")
	}
}
