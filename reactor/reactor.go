package reactor

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gyre/internal/timerheap"
	"gyre/reactor/internal/poll"
)

// Reactor states. state is atomic because Stop and CallFromGoroutine read it
// from other goroutines.
const (
	stateIdle int32 = iota
	stateRunning
	stateStopping
	stateStopped
)

// Reactor is an event loop: it waits for descriptors to become ready and for
// timers to come due, and runs the callbacks registered for them, one at a
// time, on the goroutine that called Run.
//
// Only CallFromGoroutine, Stop and Done may be used from other goroutines;
// everything else belongs to the loop goroutine (before Run, to the goroutine
// that will call it).
type Reactor struct {
	backend poll.Backend
	timers  timerheap.Queue

	// Descriptor table, indexed by fd (slots.go).
	slots    slotTable
	nreaders int
	nwriters int
	round    uint32 // counts waits; see fdSlot.round

	// System event triggers (triggers.go). started is set by the During
	// phase of the startup event (CallWhenRunning then calls at once);
	// shutdownBegun once the loop has run the Before phase of its shutdown.
	events          [2]eventState
	nextTrigger     TriggerID
	started         bool
	shutdownBegun   bool
	draining        bool // the loop goes on while Before-shutdown Deferreds are awaited
	shutdownTimeout time.Duration

	invoke func(func()) // r.call, made once so passing it does not allocate

	// Loop services the transports stand on (endings.go): work finished
	// at the end of the current phase, and descriptors held while watched
	// for nothing.
	endings   []ender
	spareEnds []ender
	held      map[FileDescriptor]struct{}
	scratch   ioScratch
	batch     *ioBatch // WithBatchedIO; nil when sends are not batched

	state atomic.Int32

	// Calls from other goroutines: the only state guarded by a lock.
	mu          sync.Mutex
	queue       []func()
	spare       []func()    // the loop's other buffer, swapped with queue
	queueLimit  int         // goroutineQueueLimit; smaller in tests
	queueRoom   sync.Cond   // signalled (L is &mu) when the loop takes the queue, and at the end
	queueWaits  int         // callers waiting for room in the queue
	wakePending atomic.Bool // work queued for the loop; the waker was written when it was set
	waker       *poll.Waker
	done        chan struct{}

	logger      *slog.Logger
	stopSignals func() // removes WithSignalHandling's handlers; nil without them
	readBuf     []byte
	readSize    int

	goBridges goBridges // debug checks, goroutine pool (debug.go, defertogoroutine.go)
}

// New returns a reactor ready to have work scheduled on it and to Run.
// It fails if the chosen backend is unknown or unavailable here, or if the
// kernel refuses the descriptors it needs.
//
// The backend is the one WithBackend names; without that option, the one
// the environment variable GYRE_REACTOR names (like twistd's --reactor, so
// any program can be run on every backend without a flag of its own:
// GYRE_REACTOR=poll ./prog); without either, the system's default.
func New(options ...Option) (*Reactor, error) {
	cfg := config{readBufferSize: DefaultReadBufferSize, loops: 1, shutdownTimeout: DefaultShutdownTimeout}
	for _, o := range options {
		o(&cfg)
	}
	if cfg.readBufferSize <= 0 {
		return nil, fmt.Errorf("reactor: read buffer size must be positive, not %d", cfg.readBufferSize)
	}
	if cfg.loops < 1 {
		return nil, fmt.Errorf("reactor: WithLoops needs at least 1 loop, not %d", cfg.loops)
	}
	if err := cfg.resolveBridges(); err != nil {
		return nil, err
	}
	name, fromEnv := cfg.backend, false
	if !cfg.backendSet {
		name, fromEnv = os.Getenv(BackendEnv), true
		if name == "" {
			name, fromEnv = poll.Default, false
		}
	}
	// GOMAXPROCS is read here, once: it takes the scheduler's lock, which
	// has no place on the loop's path.
	b, err := poll.New(name, poll.Config{Crowded: cfg.loops >= runtime.GOMAXPROCS(0)})
	if err != nil {
		if fromEnv {
			err = fmt.Errorf("%w (from %s)", err, BackendEnv)
		}
		return nil, err
	}
	w, err := poll.NewWaker()
	if err != nil {
		b.Close()
		return nil, err
	}
	r := &Reactor{
		backend:         b,
		waker:           w,
		done:            make(chan struct{}),
		logger:          cfg.logger,
		readSize:        cfg.readBufferSize,
		shutdownTimeout: cfg.shutdownTimeout,
	}
	r.queueLimit = goroutineQueueLimit
	r.queueRoom.L = &r.mu
	r.batch = newBatch(&cfg)
	r.timers.Now() // start the queue on the real clock
	r.goBridges.init(&cfg)
	r.invoke = r.call
	if err := r.addInternalReader(wakerDescriptor{w}); err != nil {
		w.Close()
		b.Close()
		return nil, err
	}
	// Twisted's own first trigger: descriptors still registered when the
	// loop ends are dropped during the shutdown, after the Before triggers
	// (which may still talk to them).
	r.addTrigger(During, Shutdown, r.disconnectAll)
	// As in Twisted, the reactor counts as running from the During phase
	// of its startup: CallWhenRunning then calls at once.
	r.addTrigger(During, Startup, func() { r.started = true })
	if cfg.signals {
		// Last, so that a New that fails leaves no handler behind.
		r.stopSignals = r.handleSignals(cfg.signalHook)
	}
	return r, nil
}

// Backend returns the name of the backend the reactor waits with.
func (r *Reactor) Backend() string { return r.backend.Name() }

// Now returns the current time (the reactor's clock is the real one).
func (r *Reactor) Now() time.Time { return r.timers.Now() }

// CallLater runs f on the loop d from now (a negative d counts as 0). Calls
// due at the same time run in the order they were scheduled. The returned
// DelayedCall can cancel or move it. It costs O(log n) in the number of
// pending calls and allocates only the DelayedCall.
func (r *Reactor) CallLater(d time.Duration, f func()) *DelayedCall {
	r.checkLoop("CallLater")
	return (*DelayedCall)(r.timers.CallLater(d, f))
}

// PendingCalls returns the delayed calls not yet run, earliest first.
func (r *Reactor) PendingCalls() []*DelayedCall {
	r.checkLoop("PendingCalls")
	timers := r.timers.Pending()
	calls := make([]*DelayedCall, len(timers))
	for i, t := range timers {
		calls[i] = (*DelayedCall)(t)
	}
	return calls
}

// CallWhenRunning runs f once the reactor is running: at the start of Run,
// in the order the calls were added (it is an After-startup system event
// trigger, as in Twisted), or at once if the reactor is already running.
func (r *Reactor) CallWhenRunning(f func()) {
	r.checkLoop("CallWhenRunning")
	if r.started && r.state.Load() == stateRunning {
		f()
		return
	}
	r.addTrigger(After, Startup, f)
}

// Running reports whether Run is in progress and Stop has not been called.
func (r *Reactor) Running() bool { return r.state.Load() == stateRunning }

// Done returns a channel that is closed when Run has returned.
// It is safe to use from any goroutine.
func (r *Reactor) Done() <-chan struct{} { return r.done }

// ReadBuffer returns a buffer shared by everything that reads on this
// reactor, so that reading from ten thousand connections needs one buffer,
// not ten thousand. Its contents belong to whoever filled it, until that
// callback returns: copy what must outlive the call.
func (r *Reactor) ReadBuffer() []byte {
	if r.readBuf == nil {
		r.readBuf = make([]byte, r.readSize)
	}
	return r.readBuf
}

// Run runs the loop on the calling goroutine until Stop is called: first the
// startup system event (its triggers; CallWhenRunning functions are its
// After phase), then, over and over, calls from other goroutines, due
// timers, and a wait for I/O dispatched to descriptors. With nothing to do
// it sleeps in the backend's wait, using no CPU.
//
// After Stop comes the shutdown system event: its Before triggers run, and
// the loop goes on turning until the Deferreds they returned have fired
// (at most the shutdown timeout); then, in its During phase, the
// descriptors still registered are removed and told
// ConnectionLost(ErrConnectionLost); then the After triggers run, and the
// reactor's own kernel resources are released. A reactor runs once: Run returns
// ErrReactorStopped after that, ErrAlreadyRunning while it runs. An error
// from the backend's wait (not an interruption) ends the loop and is
// returned.
func (r *Reactor) Run() (err error) {
	if !r.state.CompareAndSwap(stateIdle, stateRunning) {
		if r.state.Load() == stateStopped {
			return ErrReactorStopped
		}
		return ErrAlreadyRunning
	}
	defer r.enterLoop()()
	defer r.shutdown()
	r.fireEvent(Startup)
	r.runEndings()
	for {
		for r.state.Load() == stateRunning {
			if err := r.iterate(); err != nil {
				return err
			}
		}
		if !r.shutdownBegun {
			// What other goroutines handed over before the Stop runs
			// first: a goroutine that queues work and then stops the
			// reactor expects the work done.
			r.runGoroutineCalls()
			r.beginShutdown()
		}
		if !r.draining {
			return nil
		}
		if err := r.iterate(); err != nil {
			return err
		}
	}
}

// beginShutdown runs the Before-shutdown triggers. If they returned
// Deferreds, the loop goes on (draining) until those have fired or the
// shutdown timeout passes; the rest of the event runs in shutdown.
func (r *Reactor) beginShutdown() {
	r.shutdownBegun = true
	ev := &r.events[Shutdown]
	r.runPhase(Shutdown, Before)
	if ev.waiting == 0 {
		return
	}
	r.draining = true
	timeout := r.CallLater(r.shutdownTimeout, func() {
		if r.draining {
			r.log().Warn("shutdown stopped waiting for its triggers",
				"waiting", ev.waiting, "timeout", r.shutdownTimeout.String())
			ev.waiting = 0
			r.draining = false
		}
	})
	ev.resume = func() {
		timeout.Cancel()
		r.draining = false
	}
}

// finishShutdown runs the During and After phases of the shutdown event
// (the Before phase too, without waiting, for a reactor that never ran).
func (r *Reactor) finishShutdown() {
	if !r.shutdownBegun {
		r.shutdownBegun = true
		r.runPhase(Shutdown, Before)
	}
	ev := &r.events[Shutdown]
	ev.resume, ev.waiting = nil, 0
	r.runPhase(Shutdown, During)
	r.runPhase(Shutdown, After)
	r.runEndings()
}

// disconnectAll is the reactor's own During-shutdown trigger (Twisted's
// disconnectAll): every descriptor still registered, and every one held
// while watched for nothing, is removed and told
// ConnectionLost(ErrConnectionLost).
//
// A ConnectionLost may open something new (a reconnecting client dials
// again): it is dropped in the next pass, so that no socket outlives the
// reactor. Past maxShutdownPasses (a factory that dials again each time it
// is told) the descriptors left are dropped without a word more.
func (r *Reactor) disconnectAll() {
	r.flushWrites() // what the last turn wrote goes out first
	for pass := 0; ; pass++ {
		ds := r.RemoveAll()
		if len(ds) == 0 && len(r.held) == 0 {
			return
		}
		if pass == maxShutdownPasses {
			for _, d := range ds {
				r.closeQuietly(d)
			}
			for d := range r.held {
				delete(r.held, d)
				r.closeQuietly(d)
			}
			return
		}
		for _, d := range ds {
			r.callLost(d, ErrConnectionLost)
		}
		r.runEndings()
		for len(r.held) > 0 {
			for d := range r.held {
				delete(r.held, d)
				r.callLost(d, ErrConnectionLost)
			}
			r.runEndings()
		}
	}
}

// maxShutdownPasses bounds disconnectAll's passes.
const maxShutdownPasses = 8

// closeQuietly resets a connection without telling anyone: the last
// resort of disconnectAll. Other descriptors are the caller's to close.
func (r *Reactor) closeQuietly(d FileDescriptor) {
	if c, ok := d.(*Conn); ok && c.flags&fClosed == 0 {
		c.shut(endAborted, nil)
	}
}

// Stop ends Run once the callback being run (if any) returns. It returns
// ErrNotRunning if the reactor is not running or is already stopping. It is
// safe to call from any goroutine.
func (r *Reactor) Stop() error {
	if !r.state.CompareAndSwap(stateRunning, stateStopping) {
		return ErrNotRunning
	}
	r.mu.Lock()
	r.wakeLocked()
	r.mu.Unlock()
	return nil
}

// Close releases the reactor's kernel resources without running it, for a
// reactor that will never Run (Run releases them itself when it returns).
// Descriptors registered meanwhile are removed and told ConnectionLost, as
// when a run ends (a port made by ListenTCP is closed). Afterwards the
// reactor behaves as a stopped one. Close on a running reactor returns
// ErrAlreadyRunning; closing twice is harmless.
func (r *Reactor) Close() error {
	r.mu.Lock()
	if !r.state.CompareAndSwap(stateIdle, stateStopped) {
		st := r.state.Load()
		r.mu.Unlock()
		if st == stateStopped {
			return nil
		}
		return ErrAlreadyRunning
	}
	r.queue = nil
	r.queueRoom.Broadcast()
	r.mu.Unlock()
	r.stopPool()
	// What was set up for a run that will not happen (a listening port, a
	// connection attempt) is dropped as at the end of a run, so that no
	// socket is left open: the shutdown event runs, without a loop to wait
	// for its Before Deferreds.
	r.finishShutdown()
	close(r.done)
	r.restoreSignals()
	return r.release()
}

// iterate is one turn of the loop: Twisted's runUntilCurrent followed by
// doIteration.
func (r *Reactor) iterate() error {
	if r.wakePending.Load() {
		r.runGoroutineCalls()
		r.runEndings()
	}
	// Output batched (WithBatchedIO) since the last wait goes out before
	// the timers run, after them, and after the dispatch: each flush is
	// one system call for all of it, and nothing when nothing waits.
	r.flushWrites()
	timeout := time.Duration(-1)
	if r.timers.Len() > 0 {
		now := r.timers.NowOffset()
		if r.timers.RunDueOffset(now, r.invoke) > 0 {
			r.runEndings()
			r.flushWrites()
			now = r.timers.NowOffset()
		}
		timeout = r.timers.Until(now)
	}
	if r.state.Load() != stateRunning && !r.draining {
		return nil
	}
	if r.wakePending.Load() {
		timeout = 0
	}
	events, err := r.backend.Wait(timeout)
	if err != nil {
		return err
	}
	r.round++
	r.dispatch(events)
	// Connections that closed themselves during the dispatch hear about
	// it now, before the next wait; what the dispatch wrote goes out.
	r.runEndings()
	r.flushWrites()
	return nil
}

// shutdown runs when Run returns: the rest of the shutdown event (its
// During phase drops the descriptors), then the end of goroutine calls,
// then the release of kernel resources.
func (r *Reactor) shutdown() {
	r.stopPool()
	r.finishShutdown()
	r.mu.Lock()
	r.state.Store(stateStopped)
	r.queue = nil
	r.queueRoom.Broadcast() // waiting callers return ErrReactorStopped
	r.mu.Unlock()
	close(r.done)
	r.restoreSignals()
	if err := r.release(); err != nil {
		r.log().Error("releasing reactor resources", "error", err)
	}
}

func (r *Reactor) release() error {
	r.batch.close()
	r.waker.Close()
	return r.backend.Close()
}

// wakerDescriptor registers the waker as one of the reactor's own readers.
type wakerDescriptor struct{ *poll.Waker }

func (w wakerDescriptor) DoRead() error      { return w.Drain() }
func (wakerDescriptor) LogPrefix() string    { return "waker" }
func (wakerDescriptor) ConnectionLost(error) {}

func (r *Reactor) log() *slog.Logger {
	if r.logger != nil {
		return r.logger
	}
	return slog.Default()
}
