package timerheap

import (
	"errors"
	"testing"
	"time"
)

// A tick that rearms itself from its own callback runs once per pass, at
// the times it asked for, and allocates nothing after the first CallLater.
func TestRearmTick(t *testing.T) {
	q, now := manualQueue()
	start := *now
	var runs []time.Duration
	var tick func()
	var c *Timer
	tick = func() {
		runs = append(runs, now.Sub(start))
		if err := c.Rearm(time.Second, tick); err != nil {
			t.Fatal(err)
		}
	}
	c = q.CallLater(time.Second, tick)
	for range 3 {
		*now = now.Add(time.Second)
		if n := q.RunDue(*now, nil); n != 1 {
			t.Fatalf("pass ran %d calls, want 1 (a rearmed call waits for the next pass)", n)
		}
	}
	if len(runs) != 3 || runs[0] != time.Second || runs[2] != 3*time.Second {
		t.Fatalf("ran at %v, want 1s 2s 3s", runs)
	}
	if !c.Active() || !c.Time().Equal(now.Add(time.Second)) {
		t.Fatalf("after 3 ticks: active %v, due %v; want active, due in 1s", c.Active(), c.Time().Sub(*now))
	}
	runs = runs[:0:0]
	allocs := testing.AllocsPerRun(100, func() {
		*now = now.Add(time.Second)
		q.RunDue(*now, nil)
	})
	// append to runs may allocate now and then; the timer itself must not
	if allocs > 0.1 {
		t.Errorf("%.2f allocations per tick, want 0", allocs)
	}
}

// Rearm on a pending call moves it and replaces its function; on a
// cancelled call it fails.
func TestRearmPendingAndCancelled(t *testing.T) {
	q, now := manualQueue()
	var got []string
	a := q.CallLater(time.Second, func() { got = append(got, "old") })
	b := q.CallLater(2*time.Second, func() { got = append(got, "b") })
	if err := a.Rearm(3*time.Second, func() { got = append(got, "new") }); err != nil {
		t.Fatal(err)
	}
	if q.Len() != 2 {
		t.Fatalf("Len %d after rearming a pending call, want 2", q.Len())
	}
	*now = now.Add(time.Hour)
	q.RunDue(*now, nil)
	if len(got) != 2 || got[0] != "b" || got[1] != "new" {
		t.Fatalf("ran %v, want [b new]", got)
	}
	b.Rearm(time.Second, func() {})
	b.Cancel()
	if err := b.Rearm(time.Second, func() {}); !errors.Is(err, ErrAlreadyCancelled) {
		t.Errorf("Rearm of a cancelled call: %v, want ErrAlreadyCancelled", err)
	}
	if q.Len() != 0 {
		t.Errorf("Len %d, want 0", q.Len())
	}
}

// A tick among 10,000 pending timers, set again each time it runs: by
// Rearm (the same Timer) and by CallLater (a new one each time).
func BenchmarkTick(b *testing.B) {
	for _, rearm := range []bool{true, false} {
		name := "CallLater"
		if rearm {
			name = "Rearm"
		}
		b.Run(name, func(b *testing.B) {
			q, now := manualQueue()
			for i := range 10000 {
				q.CallLater(time.Hour+time.Duration(i), func() {})
			}
			var c *Timer
			var tick func()
			tick = func() {
				if rearm {
					c.Rearm(time.Millisecond, tick)
				} else {
					c = q.CallLater(time.Millisecond, tick)
				}
			}
			c = q.CallLater(time.Millisecond, tick)
			b.ReportAllocs()
			for b.Loop() {
				*now = now.Add(time.Millisecond)
				q.RunDue(*now, nil)
			}
		})
	}
}
