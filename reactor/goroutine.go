package reactor

// CallFromGoroutine arranges for f to run on the loop goroutine, soon, in the
// order of calls; it is the only way for other goroutines to hand work to the
// reactor (Twisted's callFromThread). A sleeping loop wakes at once. Calls
// made before Run are run when it starts. Once the reactor has stopped it
// returns ErrReactorStopped and f never runs. A call made before Stop (by
// the goroutine that then calls Stop, say) runs before the shutdown begins;
// one that arrives while the reactor is stopping may not run (Done tells
// when it has stopped).
//
// The queue is the reactor's only locked structure. Wake-ups are coalesced:
// however many goroutines call at once, the loop is woken by one write.
func (r *Reactor) CallFromGoroutine(f func()) error {
	r.mu.Lock()
	defer r.mu.Unlock()
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
	r.mu.Unlock()
	for i, f := range calls {
		calls[i] = nil
		r.call(f)
	}
	r.spare = calls[:0]
}
