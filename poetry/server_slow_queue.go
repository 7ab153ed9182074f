package poetry

import "container/heap"

// dueQueue holds the slow clients waiting for their next step, the
// earliest due first: a binary heap (container/heap) of due times.
//
// Clients served in turn stay in due order among themselves, since they
// all wait the same delay, and a first-in-first-out queue would do for
// them. A new client need not come after them, though: its schedule starts
// when its handshake completed, and the kernel says when that was in whole
// clock ticks (TCP_INFO's last ACK, 4 ms at HZ=250, off by up to a tick
// either way), so its first due time can fall before those of clients
// already waiting. A FIFO served such a client only once the client ahead
// of it was due, and held every due client behind it back as long: in W5
// (1,000 clients connecting at once) five or six of them a run were enough
// to make the p99 of the tick's lateness 2.5-4.1 ms, where it is 0.5-1 ms
// when the due order is kept.
//
// An entry keeps the due time its client was queued with. A client's due
// time can only move later while it waits (paused and resumed: see
// dueAtLeast), so an entry met before its client is due is queued again at
// the client's due time. A client has at most one entry (queued).
type dueQueue []dueEntry

type dueEntry struct {
	at int64 // the client's due time when it was queued
	p  *slowProtocol
}

// add queues p at its due time, unless it is queued already.
func (q *dueQueue) add(p *slowProtocol) {
	if p.queued {
		return
	}
	p.queued = true
	*q = append(*q, dueEntry{at: p.due(), p: p})
	heap.Fix(q, len(*q)-1)
}

// front returns the earliest entry. The queue must not be empty.
func (q dueQueue) front() dueEntry { return q[0] }

// remove takes the earliest entry off the queue. It moves the last entry
// to the top and fixes the heap from there, as heap.Pop does, but without
// passing the entry through an interface value (which would allocate each
// time).
func (q *dueQueue) remove() {
	old := *q
	n := len(old) - 1
	old[0].p.queued = false
	old[0] = old[n]
	old[n] = dueEntry{}
	*q = old[:n]
	if n > 0 {
		heap.Fix(q, 0)
	}
}

// requeue moves the earliest entry to its client's due time now: one
// sift instead of a remove and an add.
func (q *dueQueue) requeue() {
	(*q)[0].at = (*q)[0].p.due()
	heap.Fix(q, 0)
}

// reset empties the queue and keeps its array.
func (q *dueQueue) reset() {
	for _, e := range *q {
		e.p.queued = false
	}
	clear(*q)
	*q = (*q)[:0]
}

// heap.Interface. The queue calls heap.Fix only; Push and Pop are what
// heap.Push and heap.Pop would call.
func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(dueEntry)) }
func (q *dueQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = dueEntry{}
	*q = old[:len(old)-1]
	return e
}
