package reactor

import (
	"context"
	"errors"
	"sync/atomic"

	"gyre/deferred"
)

// DefaultGoroutinePoolSize is how many goroutines DeferToGoroutine runs work
// on at once, unless WithGoroutinePool says otherwise: Twisted's reactor
// thread pool has at most 10 threads too. Blocking work beyond that waits
// in the pool's queue.
const DefaultGoroutinePoolSize = 10

// DefaultGoroutinePoolQueue is how many calls of DeferToGoroutine may wait
// for a goroutine of the pool, unless WithGoroutinePool says otherwise; a
// call beyond that fails at once with ErrPoolFull.
const DefaultGoroutinePoolQueue = 1024

// ErrPoolFull is the failure of a DeferToGoroutine made while every
// goroutine of the pool is busy and its queue is full: the blocking work is
// coming in faster than it is done, and queueing it without bound would only
// hide that until memory runs out.
var ErrPoolFull = errors.New("reactor: goroutine pool busy and its queue full")

// WithGoroutinePool sets the size of DeferToGoroutine's pool (at least 1)
// and of its queue (0 means no waiting: work beyond the busy goroutines
// fails at once). New fails on sizes out of range.
func WithGoroutinePool(size, queue int) Option {
	return func(c *config) { c.poolSize, c.poolQueue, c.poolSet = size, queue, true }
}

// DeferToGoroutine runs f on a goroutine of r's pool and returns a Deferred
// that fires on the loop with f's result, or fails with its error (Twisted's
// deferToThread). It is the way to call blocking code (a file system, a
// database driver, a CPU-bound computation) from the loop without stopping
// it. A panic in f fails the Deferred with the panic's Failure; an f that
// ends its goroutine with runtime.Goexit fails it too, with an error saying
// so, and the pool starts another goroutine in its place.
//
// The pool starts goroutines as work arrives, up to its size
// (DefaultGoroutinePoolSize, or WithGoroutinePool), and keeps them for the
// next calls; while all are busy, calls wait in a bounded queue, beyond
// which the Deferred fails at once with ErrPoolFull. f runs in parallel
// with the loop: it must not touch anything the loop owns, and hands
// results back only by returning them.
//
// ctx is done when the result is no longer wanted: the Deferred was
// cancelled (a call still queued is then dropped without running), or the
// reactor stopped. When the reactor stops, the pool stops with it: every
// Deferred still waiting fails with ErrReactorStopped, idle goroutines
// exit, and busy ones exit once f returns (the reactor does not wait for
// them; f should watch ctx).
//
// DeferToGoroutine belongs to the loop goroutine (or, before Run, to the
// one that will call it); from elsewhere, use it inside CallFromGoroutine.
func DeferToGoroutine(r *Reactor, f func(ctx context.Context) (any, error)) *deferred.Deferred {
	r.checkLoop("DeferToGoroutine")
	p := r.goBridges.pool
	if p == nil {
		p = &goroutinePool{r: r, size: r.goBridges.poolSize, limit: r.goBridges.poolQueue}
		r.goBridges.pool = p
	}
	return p.submit(f)
}

// DeferToGoroutineOf is DeferToGoroutine with a typed result: f returns a
// T, and so does the Future, in an Inline body (Await) or through Handle.
//
//	data, err := reactor.DeferToGoroutineOf(r, func(context.Context) ([]byte, error) {
//		return os.ReadFile(name)
//	}).Await(co)
func DeferToGoroutineOf[T any](r *Reactor, f func(ctx context.Context) (T, error)) deferred.Future[T] {
	return deferred.Typed[T](DeferToGoroutine(r, func(ctx context.Context) (any, error) { return f(ctx) }))
}

// goroutinePool is the pool of DeferToGoroutine. Its state belongs to the
// loop, so it needs no lock: the goroutines receive work through their own
// channel and report back through CallFromGoroutine.
type goroutinePool struct {
	r     *Reactor
	size  int // at most this many workers
	limit int // at most this many jobs queued

	idle    []*poolWorker
	workers map[*poolWorker]struct{}
	queue   []*poolJob // FIFO: queue[head:] waits
	head    int
	stopped bool

	live atomic.Int32 // worker goroutines not yet exited (tests watch it)
}

// poolJob is one call of DeferToGoroutine.
type poolJob struct {
	f      func(ctx context.Context) (any, error)
	d      *deferred.Deferred
	ctx    context.Context
	cancel context.CancelFunc
	done   bool // fired (or cancelled): a late result is dropped
}

// poolWorker is one goroutine of the pool; it receives one job at a time.
type poolWorker struct {
	jobs    chan *poolJob
	current *poolJob // the job it runs; the loop's, like the pool
}

// give hands j to an idle worker; it never blocks, since an idle worker's
// channel is empty.
func (w *poolWorker) give(j *poolJob) {
	w.current = j
	w.jobs <- j
}

func (p *goroutinePool) submit(f func(ctx context.Context) (any, error)) *deferred.Deferred {
	j := &poolJob{f: f}
	j.d = deferred.NewWithCanceller(func(*deferred.Deferred) {
		j.finish()
		p.remove(j)
	})
	if p.stopped {
		_ = j.d.Errback(ErrReactorStopped)
		return j.d
	}
	j.ctx, j.cancel = context.WithCancel(context.Background())
	switch {
	case len(p.idle) > 0:
		w := p.idle[len(p.idle)-1]
		p.idle[len(p.idle)-1] = nil
		p.idle = p.idle[:len(p.idle)-1]
		w.give(j)
	case len(p.workers) < p.size:
		p.start(j)
	case len(p.queue)-p.head < p.limit:
		p.compact()
		p.queue = append(p.queue, j)
	default:
		j.cancel()
		_ = j.d.Errback(ErrPoolFull)
	}
	return j.d
}

// compact moves the waiting jobs to the front of the queue once the taken
// ones fill half of it, so that a queue that never empties does not grow.
func (p *goroutinePool) compact() {
	if p.head == 0 || 2*p.head < len(p.queue) {
		return
	}
	n := copy(p.queue, p.queue[p.head:])
	clear(p.queue[n:])
	p.queue, p.head = p.queue[:n], 0
}

// start starts a worker goroutine with its first job.
func (p *goroutinePool) start(j *poolJob) {
	if p.workers == nil {
		p.workers = make(map[*poolWorker]struct{}, p.size)
	}
	w := &poolWorker{jobs: make(chan *poolJob, 1)}
	p.workers[w] = struct{}{}
	w.give(j)
	p.live.Add(1)
	go p.work(w)
}

// errGoexit fails the Deferred of a function that ended its goroutine with
// runtime.Goexit (t.FailNow, say) instead of returning or panicking.
var errGoexit = errors.New("reactor: the function given to DeferToGoroutine called runtime.Goexit instead of returning")

// work is a worker goroutine: it runs jobs until its channel is closed.
func (p *goroutinePool) work(w *poolWorker) {
	defer p.live.Add(-1)
	for j := range w.jobs {
		if !p.do(w, j) {
			return // the reactor has stopped; stopPool failed the Deferred
		}
	}
}

// do runs j on the worker and hands the result to the loop. It reports
// false once the reactor has stopped. If j's function calls runtime.Goexit
// the goroutine ends here whatever happens; the loop is told, so that j's
// Deferred fires and the pool gets the goroutine's place back.
func (p *goroutinePool) do(w *poolWorker, j *poolJob) bool {
	returned := false
	defer func() {
		if !returned {
			_ = p.r.CallFromGoroutine(func() { p.exited(w, j) })
		}
	}()
	v, err := j.run()
	returned = true
	return p.r.CallFromGoroutine(func() { p.finished(w, j, v, err) }) == nil
}

// exited runs on the loop when w's goroutine ended inside j's function
// (runtime.Goexit): j fails with errGoexit, and a new worker takes the
// next job waiting, if any, in w's place.
func (p *goroutinePool) exited(w *poolWorker, j *poolJob) {
	w.current = nil
	delete(p.workers, w)
	if !j.done {
		j.finish()
		_ = j.d.Errback(errGoexit)
	}
	if p.stopped {
		return
	}
	if next := p.next(); next != nil {
		p.start(next)
	}
}

// run calls the job's function, turning a panic into a Failure.
func (j *poolJob) run() (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, deferred.NewFailureFromPanic(p)
		}
	}()
	return j.f(j.ctx)
}

// finished runs on the loop when a worker is done with j: it fires j's
// Deferred and gives the worker the next job, or makes it idle.
func (p *goroutinePool) finished(w *poolWorker, j *poolJob, v any, err error) {
	w.current = nil
	if !j.done {
		j.finish()
		if err != nil {
			_ = j.d.Errback(err)
		} else {
			_ = j.d.Callback(v)
		}
	}
	if p.stopped {
		return
	}
	if next := p.next(); next != nil {
		w.give(next)
		return
	}
	p.idle = append(p.idle, w)
}

// next takes the first job of the queue still wanted, or returns nil (and
// empties the queue) if there is none.
func (p *goroutinePool) next() *poolJob {
	for p.head < len(p.queue) {
		j := p.queue[p.head]
		p.queue[p.head] = nil
		p.head++
		if !j.done {
			return j
		}
	}
	p.queue, p.head = p.queue[:0], 0
	return nil
}

// remove takes a cancelled job out of the queue, if it waits there, so
// that it no longer holds a place.
func (p *goroutinePool) remove(j *poolJob) {
	for i := p.head; i < len(p.queue); i++ {
		if p.queue[i] == j {
			copy(p.queue[i:], p.queue[i+1:])
			p.queue[len(p.queue)-1] = nil
			p.queue = p.queue[:len(p.queue)-1]
			return
		}
	}
}

// finish marks j as settled and releases its context.
func (j *poolJob) finish() {
	j.done = true
	if j.cancel != nil {
		j.cancel()
	}
}

// stopPool stops the pool with the reactor (Run's end, or Close): queued and
// running jobs fail with ErrReactorStopped, and every worker is told to exit
// once it is idle. Their results, if any, are dropped.
func (r *Reactor) stopPool() {
	p := r.goBridges.pool
	if p == nil || p.stopped {
		return
	}
	p.stopped = true
	pending := p.queue[p.head:]
	p.queue, p.idle = nil, nil
	for w := range p.workers {
		close(w.jobs)
		if w.current != nil {
			pending = append(pending, w.current)
			w.current = nil
		}
	}
	// The Deferreds fire last, when the pool is in order: their callbacks
	// may call DeferToGoroutine again, which fails at once.
	for _, j := range pending {
		if !j.done {
			j.finish()
			_ = j.d.Errback(ErrReactorStopped)
		}
	}
}
