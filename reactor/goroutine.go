package reactor

// goroutineQueueLimit bounds the calls other goroutines may have queued for
// the loop at once. It is far above what a loop takes in one turn under
// normal load (it runs the whole queue each turn), so it only ever binds a
// goroutine that produces calls faster than the loop can run them, for as
// long as it does.
const goroutineQueueLimit = 1 << 16

// spareQueueKeep is the largest queue buffer the loop keeps for reuse: one
// grown by a burst is dropped, so that a burst's memory is not held for
// the reactor's life.
const spareQueueKeep = 4096

// CallFromGoroutine arranges for f to run on the loop goroutine, soon, in the
// order of calls; it is the only way for other goroutines to hand work to the
// reactor (Twisted's callFromThread). A sleeping loop wakes at once. Calls
// made before Run are run when it starts. Once the reactor has stopped it
// returns ErrReactorStopped and f never runs. A call made before Stop (by
// the goroutine that then calls Stop, say) runs before the shutdown begins;
// one that arrives while the reactor is stopping may not run (Done tells
// when it has stopped).
//
// The queue is bounded (65,536 calls): a caller that finds it full waits
// until the loop takes it, as a send on a full channel waits, and returns
// ErrReactorStopped if the reactor stops meanwhile. So a goroutine that
// produces calls faster than the loop runs them is slowed to the loop's
// pace instead of growing memory without bound. Before Run nothing takes
// the queue: a goroutine that queues more than the bound before Run waits
// for Run to start, so the goroutine that will call Run must not. Calls
// from the loop itself (a callback, or a deferred.Inline body it resumed)
// never wait, since the loop cannot wait for itself.
//
// The queue is the reactor's only locked structure. Wake-ups are coalesced:
// however many goroutines call at once, the loop is woken by one write.
func (r *Reactor) CallFromGoroutine(f func()) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.queue) >= r.queueLimit && r.state.Load() != stateStopped && !r.onLoop() {
		r.queueWaits++
		r.queueRoom.Wait()
		r.queueWaits--
	}
	if r.state.Load() == stateStopped {
		return ErrReactorStopped
	}
	r.queue = append(r.queue, f)
	r.wakeLocked()
	return nil
}

// wakeLocked wakes the loop unless a wake-up is already on its way. It runs
// under r.mu so that the waker cannot be closed (Run ending) in between the
// state check and the write (Stop, for one, can race with the loop's end).
//
// Ordering: a caller queues, then sets wakePending. The loop clears
// wakePending, then takes the queue. So either the loop's take sees the new
// call, or the caller found wakePending clear and wrote to the waker, and
// the loop's next wait returns at once.
func (r *Reactor) wakeLocked() {
	if r.state.Load() == stateStopped {
		return // the waker is closed, or about to be
	}
	if !r.wakePending.Swap(true) {
		r.waker.Wake()
	}
}

// runGoroutineCalls runs the calls queued by other goroutines. Calls they
// queue meanwhile wait for the next turn, so a goroutine flooding the queue
// cannot starve I/O and timers.
func (r *Reactor) runGoroutineCalls() {
	r.wakePending.Store(false)
	r.mu.Lock()
	calls := r.queue
	r.queue = r.spare[:0]
	if r.queueWaits > 0 {
		r.queueRoom.Broadcast()
	}
	r.mu.Unlock()
	for i, f := range calls {
		calls[i] = nil
		r.call(f)
	}
	if cap(calls) > spareQueueKeep {
		calls = nil
	}
	r.spare = calls[:0]
}
