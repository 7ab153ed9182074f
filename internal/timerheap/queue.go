package timerheap

import (
	"math"
	"slices"
	"time"
)

// Queue holds pending timers in a heap ordered by due time, ties broken by
// the order in which they were scheduled. It is the one timer
// implementation in gyre: the reactor keeps one driven by the real clock and
// task.Clock keeps one driven by a hand-advanced clock.
//
// Scheduling, cancelling and rescheduling cost O(log n); a cancelled call
// leaves the heap at once (no tombstones), so the heap only ever holds
// pending calls. The heap is 4-ary, like the Go runtime's timers: shallower
// than a binary heap, with a node's children next to each other in memory.
//
// A Queue is not safe for concurrent use. The zero value is ready to use
// and reads the real clock (time.Now).
type Queue struct {
	now   func() time.Time
	real  bool      // now is time.Now: read the monotonic clock alone
	base  time.Time // due times are kept as nanoseconds since base
	ready bool      // base has been set
	heap  []timerEntry
	seq   uint64 // scheduling order, for ties and for RunDue's pass limit
}

// timerEntry keeps the sort keys next to the pointer so that comparisons
// during sifting do not chase pointers.
type timerEntry struct {
	at   int64
	seq  uint64
	call *Timer
}

// New returns an empty queue that reads the time from now (nil
// means time.Now).
func New(now func() time.Time) *Queue {
	q := &Queue{now: now}
	q.init()
	return q
}

func (q *Queue) init() {
	if q.ready {
		return
	}
	if q.now == nil {
		q.now = time.Now
		q.real = true
	}
	q.base = q.now()
	q.ready = true
}

// Now returns the queue's current time.
func (q *Queue) Now() time.Time {
	q.init()
	return q.now()
}

// offset converts t to the queue's internal nanosecond scale. time.Time.Sub
// saturates, and uses the monotonic clock when both times carry it.
func (q *Queue) offset(t time.Time) int64 {
	return int64(t.Sub(q.base))
}

// NowOffset is the current time on the queue's internal scale (nanoseconds
// since its base), what Until and RunDueOffset take. It is offset(now). On the real clock it is time.Since(base), which
// reads only the monotonic clock: a third of the cost of time.Now on some
// virtual machines, and CallLater does it every time.
func (q *Queue) NowOffset() int64 {
	if q.real {
		return int64(time.Since(q.base))
	}
	return q.offset(q.now())
}

// never is the due time of a call beyond the scale's end (about 292 years
// after the base): later saturates there. Such a call never comes due, not
// even when the time itself has saturated. Were it due then, a call that
// schedules itself again (a LoopingCall) would land on the same saturated
// instant on every pass, and a test clock advanced that far would run it
// for ever.
const never = math.MaxInt64

// later adds d to at without overflowing: past the scale's end it is never.
func later(at int64, d time.Duration) int64 {
	if d > 0 && at > math.MaxInt64-int64(d) {
		return never
	}
	if d < 0 && at < math.MinInt64-int64(d) {
		return math.MinInt64
	}
	return at + int64(d)
}

// CallLater schedules f to run d from now (a negative d counts as 0). Apart
// from the heap's own amortised growth it allocates only the *Timer.
func (q *Queue) CallLater(d time.Duration, f func()) *Timer {
	q.init()
	if d < 0 {
		d = 0
	}
	c := &Timer{q: q, f: f, index: -1}
	q.push(c, later(q.NowOffset(), d))
	return c
}

// Len returns the number of pending calls.
func (q *Queue) Len() int { return len(q.heap) }

// Next returns the due time of the earliest pending call, and false if
// there is none.
func (q *Queue) Next() (time.Time, bool) {
	if len(q.heap) == 0 {
		return time.Time{}, false
	}
	return q.base.Add(time.Duration(q.heap[0].at)), true
}

// Until returns how long from t (an offset) until the earliest call is due
// (0 if it is already due), or -1 if nothing is pending. The reactor uses it
// as its wait timeout.
func (q *Queue) Until(t int64) time.Duration {
	if len(q.heap) == 0 {
		return -1
	}
	// Compared, not subtracted first: a call moved far into the past
	// (Delay by a huge negative amount) made at-t wrap to a huge wait,
	// and the loop slept instead of running it.
	at := q.heap[0].at
	if at == never {
		return math.MaxInt64
	}
	if at <= t {
		return 0
	}
	if d := at - t; d > 0 {
		return time.Duration(d)
	}
	return math.MaxInt64 // at-t overflowed: as far as can be
}

// Pending returns the pending calls, earliest first.
func (q *Queue) Pending() []*Timer {
	entries := slices.Clone(q.heap)
	slices.SortFunc(entries, func(a, b timerEntry) int {
		if before(&a, &b) {
			return -1
		}
		return 1
	})
	calls := make([]*Timer, len(entries))
	for i := range entries {
		calls[i] = entries[i].call
	}
	return calls
}

// RunDue runs, in order, every call due at or before now that was already
// scheduled when RunDue began, and returns how many ran. Calls scheduled by
// those calls wait for the next RunDue even if they are due: that is what
// lets a reactor look at I/O between two rounds of timers, however many
// zero-delay calls a callback schedules (Twisted's runUntilCurrent does the
// same).
//
// Each call is removed from the heap and marked called before it runs, so
// the queue stays consistent even if it panics. invoke runs each function;
// nil means calling it directly. The reactor passes a function that
// recovers and logs panics.
func (q *Queue) RunDue(now time.Time, invoke func(func())) int {
	q.init()
	return q.RunDueOffset(q.offset(now), invoke)
}

// RunDueOffset is RunDue with the time as an offset (see NowOffset).
func (q *Queue) RunDueOffset(t int64, invoke func(func())) int {
	limit := q.seq
	n := 0
	for len(q.heap) > 0 {
		top := &q.heap[0]
		// A call scheduled during this pass is due no earlier than the
		// pass's start, so it reaches the top only once every older due
		// call has run. (Only a negative Delay can move one earlier; the
		// older calls then wait for the next pass, which is due at once.)
		if top.at > t || top.at == never || top.seq >= limit {
			break
		}
		c := top.call
		q.pop()
		f := c.f
		c.f = nil // release the closure: a called DelayedCall may live on
		c.state = callCalled
		n++
		if invoke != nil {
			invoke(f)
		} else {
			f()
		}
	}
	return n
}

func before(a, b *timerEntry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (q *Queue) push(c *Timer, at int64) {
	c.at = at
	q.heap = append(q.heap, timerEntry{at: at, seq: q.seq, call: c})
	q.seq++
	q.up(len(q.heap) - 1)
}

// reschedule moves a queued call to a new due time. It takes a fresh
// sequence number: a rescheduled call is ordered among equal times as if it
// had just been scheduled.
func (q *Queue) reschedule(c *Timer, at int64) {
	i := int(c.index)
	c.at = at
	q.heap[i].at = at
	q.heap[i].seq = q.seq
	q.seq++
	if !q.down(i) {
		q.up(i)
	}
}

func (q *Queue) removeAt(i int) {
	h := q.heap
	last := len(h) - 1
	removed := h[i].call
	if i != last {
		h[i] = h[last]
		h[i].call.index = int32(i)
	}
	h[last] = timerEntry{} // do not keep the call reachable from the backing array
	q.heap = h[:last]
	if i != last {
		if !q.down(i) {
			q.up(i)
		}
	}
	removed.index = -1
}

// pop removes the earliest call. It moves the hole left at the root down
// to a leaf, always to the earliest child, then fills it with the last
// entry and sifts that up (Floyd's method): the last entry almost always
// belongs near the leaves, so this saves the comparison with it at every
// level that a plain sift-down makes.
func (q *Queue) pop() {
	h := q.heap
	last := len(h) - 1
	removed := h[0].call
	e := h[last]
	h[last] = timerEntry{}
	h = h[:last]
	q.heap = h
	removed.index = -1
	if last == 0 {
		return
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= last {
			break
		}
		m := c
		end := min(c+4, last)
		for j := c + 1; j < end; j++ {
			if before(&h[j], &h[m]) {
				m = j
			}
		}
		h[i] = h[m]
		h[i].call.index = int32(i)
		i = m
	}
	h[i] = e
	q.up(i)
}

func (q *Queue) up(i int) {
	h := q.heap
	e := h[i]
	for i > 0 {
		p := (i - 1) / 4
		if !before(&e, &h[p]) {
			break
		}
		h[i] = h[p]
		h[i].call.index = int32(i)
		i = p
	}
	h[i] = e
	e.call.index = int32(i)
}

// down sifts the entry at i towards the leaves and reports whether it moved.
func (q *Queue) down(i int) bool {
	h := q.heap
	n := len(h)
	start := i
	e := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if before(&h[j], &h[m]) {
				m = j
			}
		}
		if !before(&h[m], &e) {
			break
		}
		h[i] = h[m]
		h[i].call.index = int32(i)
		i = m
	}
	h[i] = e
	e.call.index = int32(i)
	return i != start
}
