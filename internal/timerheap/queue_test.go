package timerheap

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// manualQueue returns a queue on a clock that only moves when told to.
func manualQueue() (*Queue, *time.Time) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return New(func() time.Time { return now }), &now
}

func TestQueueOrder(t *testing.T) {
	q, now := manualQueue()
	var got []string
	add := func(d time.Duration, name string) *Timer {
		return q.CallLater(d, func() { got = append(got, name) })
	}
	add(3*time.Second, "c")
	add(time.Second, "a1")
	add(2*time.Second, "b")
	add(time.Second, "a2")   // same time as a1: after it
	add(-time.Second, "neg") // counts as 0
	if q.Len() != 5 {
		t.Fatalf("Len = %d", q.Len())
	}
	if next, ok := q.Next(); !ok || !next.Equal(*now) {
		t.Errorf("Next = %v, %v; want now", next, ok)
	}
	*now = now.Add(2 * time.Second)
	if n := q.RunDue(*now, nil); n != 4 {
		t.Errorf("RunDue ran %d, want 4", n)
	}
	*now = now.Add(time.Hour)
	q.RunDue(*now, nil)
	if s := fmt.Sprint(got); s != "[neg a1 a2 b c]" {
		t.Errorf("order %s", s)
	}
	if q.Len() != 0 {
		t.Errorf("Len = %d after all ran", q.Len())
	}
	if _, ok := q.Next(); ok {
		t.Error("Next reports a call in an empty queue")
	}
}

func TestDelayedCallCancelResetDelay(t *testing.T) {
	q, now := manualQueue()
	start := *now
	var got []string
	a := q.CallLater(time.Second, func() { got = append(got, "a") })
	b := q.CallLater(2*time.Second, func() { got = append(got, "b") })
	c := q.CallLater(3*time.Second, func() { got = append(got, "c") })

	if err := b.Cancel(); err != nil {
		t.Fatal(err)
	}
	if b.Active() || !b.Cancelled() || q.Len() != 2 {
		t.Errorf("after Cancel: Active %v, Cancelled %v, Len %d", b.Active(), b.Cancelled(), q.Len())
	}
	for name, err := range map[string]error{"Cancel": b.Cancel(), "Reset": b.Reset(time.Second), "Delay": b.Delay(time.Second)} {
		if !errors.Is(err, ErrAlreadyCancelled) {
			t.Errorf("%s on a cancelled call = %v", name, err)
		}
	}

	*now = now.Add(500 * time.Millisecond)
	if err := c.Reset(100 * time.Millisecond); err != nil { // from now: due at 0.6 s
		t.Fatal(err)
	}
	if want := start.Add(600 * time.Millisecond); !c.Time().Equal(want) {
		t.Errorf("after Reset, Time = %v, want %v", c.Time(), want)
	}
	if err := a.Delay(time.Second); err != nil { // due at 2 s
		t.Fatal(err)
	}
	if want := start.Add(2 * time.Second); !a.Time().Equal(want) {
		t.Errorf("after Delay, Time = %v, want %v", a.Time(), want)
	}
	*now = start.Add(time.Second)
	q.RunDue(*now, nil)
	if s := fmt.Sprint(got); s != "[c]" {
		t.Errorf("ran %s by 1 s, want [c]", s)
	}
	if !c.Called() || c.Active() {
		t.Error("c not marked called")
	}
	for name, err := range map[string]error{"Cancel": c.Cancel(), "Reset": c.Reset(time.Second), "Delay": c.Delay(time.Second)} {
		if !errors.Is(err, ErrAlreadyCalled) {
			t.Errorf("%s on a called call = %v", name, err)
		}
	}
	*now = start.Add(2 * time.Second)
	q.RunDue(*now, nil)
	if s := fmt.Sprint(got); s != "[c a]" {
		t.Errorf("ran %s by 2 s, want [c a]", s)
	}
}

// A call that becomes due during a RunDue pass (scheduled by a call that
// ran) waits for the next pass; calls cancelled by an earlier call in the
// same pass never run.
func TestRunDueReentrancy(t *testing.T) {
	q, now := manualQueue()
	var got []string
	var victim *Timer
	q.CallLater(0, func() {
		got = append(got, "first")
		q.CallLater(0, func() { got = append(got, "scheduled by first") })
		victim.Cancel()
	})
	victim = q.CallLater(0, func() { got = append(got, "victim") })
	q.CallLater(0, func() { got = append(got, "third") })
	if n := q.RunDue(*now, nil); n != 2 {
		t.Errorf("first pass ran %d calls, want 2", n)
	}
	if s := fmt.Sprint(got); s != "[first third]" {
		t.Errorf("first pass: %s", s)
	}
	q.RunDue(*now, nil)
	if s := fmt.Sprint(got); s != "[first third scheduled by first]" {
		t.Errorf("second pass: %s", s)
	}
}

// A call that panics (RunDue with no invoke lets it through) leaves the
// queue consistent: it was removed and marked called before it ran.
func TestRunDuePanicLeavesQueueConsistent(t *testing.T) {
	q, now := manualQueue()
	ran := false
	c := q.CallLater(0, func() { panic("boom") })
	q.CallLater(0, func() { ran = true })
	func() {
		defer func() { recover() }()
		q.RunDue(*now, nil)
	}()
	if !c.Called() || q.Len() != 1 {
		t.Fatalf("after panic: called %v, Len %d", c.Called(), q.Len())
	}
	q.RunDue(*now, nil)
	if !ran {
		t.Error("the call after the panicking one did not run")
	}
}

func TestRunDueInvoke(t *testing.T) {
	q, now := manualQueue()
	invoked := 0
	q.CallLater(0, func() {})
	q.RunDue(*now, func(f func()) { invoked++; f() })
	if invoked != 1 {
		t.Errorf("invoke called %d times", invoked)
	}
}

func TestQueueSaturates(t *testing.T) {
	q, now := manualQueue()
	c := q.CallLater(time.Duration(math.MaxInt64), func() {})
	if err := c.Delay(time.Duration(math.MaxInt64)); err != nil {
		t.Fatal(err)
	}
	if !c.Time().After(now.Add(200 * 365 * 24 * time.Hour)) {
		t.Errorf("a call far in the future overflowed to %v", c.Time())
	}
	if q.RunDue(now.Add(time.Hour), nil) != 0 {
		t.Error("a call far in the future ran")
	}
}

// A call moved far into the past is due at once: the wait until it is
// zero, not a wrapped subtraction (the loop slept instead of running it).
func TestUntilACallFarInThePast(t *testing.T) {
	q, now := manualQueue()
	c := q.CallLater(10*time.Millisecond, func() {})
	if err := c.Delay(time.Duration(math.MinInt64)); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour)
	if d := q.Until(q.NowOffset()); d != 0 {
		t.Errorf("Until %v, want 0 for a call due long ago", d)
	}
	q.CallLater(time.Duration(math.MaxInt64), func() {})
	c.Cancel()
	if d := q.Until(math.MinInt64 + 1); d <= 0 {
		t.Errorf("Until from far in the past to a call far in the future: %v", d)
	}
}

func TestZeroQueue(t *testing.T) {
	var q Queue
	ran := false
	q.CallLater(0, func() { ran = true })
	q.RunDue(time.Now(), nil)
	if !ran {
		t.Error("the zero Queue did not run a due call")
	}
}

// TestQueueAgainstModel drives the heap with random operations and
// compares what runs, and when, with a plain sorted list.
func TestQueueAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	q, now := manualQueue()
	type entry struct {
		c    *Timer
		id   int
		at   time.Time
		seq  int
		dead bool
	}
	var model []*entry
	var ran []int
	seq := 0
	for step := range 20000 {
		switch op := rng.IntN(10); {
		case op < 5:
			id := step
			d := time.Duration(rng.IntN(1000)) * time.Millisecond
			e := &entry{id: id, at: now.Add(d), seq: seq}
			seq++
			e.c = q.CallLater(d, func() { ran = append(ran, id) })
			model = append(model, e)
		case op < 7 && len(model) > 0:
			e := model[rng.IntN(len(model))]
			if !e.dead {
				if err := e.c.Cancel(); err != nil {
					t.Fatal(err)
				}
				e.dead = true
			}
		case op < 8 && len(model) > 0:
			e := model[rng.IntN(len(model))]
			if !e.dead {
				d := time.Duration(rng.IntN(1000)) * time.Millisecond
				e.c.Reset(d)
				e.at, e.seq = now.Add(d), seq
				seq++
			}
		default:
			*now = now.Add(time.Duration(rng.IntN(300)) * time.Millisecond)
			var due []*entry
			for _, e := range model {
				if !e.dead && !e.at.After(*now) {
					due = append(due, e)
				}
			}
			slices.SortFunc(due, func(a, b *entry) int {
				if c := a.at.Compare(b.at); c != 0 {
					return c
				}
				return a.seq - b.seq
			})
			ran = ran[:0]
			q.RunDue(*now, nil)
			if len(ran) != len(due) {
				t.Fatalf("step %d: ran %d calls, model says %d", step, len(ran), len(due))
			}
			for i, e := range due {
				if ran[i] != e.id {
					t.Fatalf("step %d: call %d ran in place of %d", step, ran[i], e.id)
				}
				e.dead = true
			}
		}
		live := 0
		for _, e := range model {
			if !e.dead {
				live++
			}
		}
		if q.Len() != live {
			t.Fatalf("step %d: Len %d, model %d (the heap holds only pending calls)", step, q.Len(), live)
		}
	}
	pending := q.Pending()
	for i := 1; i < len(pending); i++ {
		if pending[i].Time().Before(pending[i-1].Time()) {
			t.Fatal("Pending is not in time order")
		}
	}
}
