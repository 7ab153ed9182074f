package timeline

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Recorder collects a Timeline while downloads run. Tasks are named by the
// caller's numbers; each is begun with Start, fed with Chunk as data arrives
// and closed with End.
//
// A Recorder is safe for use by several goroutines at once: the reactor
// download mode calls it from the loop's single goroutine, the blocking and
// threaded modes from one goroutine per task. It sits beside the download's
// read loop, so Chunk is kept cheap: one uncontended mutex, one clock
// reading, and an append into the lane's slice (no allocation beyond the
// slice's amortised growth, no formatting).
//
// What a lane holds is bounded, however long its download runs and however
// small its reads: past maxChunks chunks, the chunks that arrived within
// one grain of time of each other are merged into two, the first and the
// latest (see laneRecord.coarsen), the grain staying far finer than a
// pixel of the SVG figure or a cell of the text one. A download of fewer
// chunks keeps every chunk as it came.
//
// The zero Recorder is ready to use, with no title or mode and the wall
// clock.
type Recorder struct {
	title, mode string
	now         func() time.Time // set once at construction, read without the lock

	mu      sync.Mutex
	started bool // origin has been set by the first event
	origin  time.Time
	lanes   map[int]*laneRecord
	last    *laneRecord // the lane used last: a read loop feeds one task many times in a row
}

// laneRecord is a lane being recorded.
type laneRecord struct {
	Lane
	ended bool
	grain time.Duration // > 0: chunks within one grain (at/grain) are merged
}

// initialChunks is the capacity a new lane's chunk slice starts with, so a
// short download (a poem of a few hundred chunks) grows it only a few times.
const initialChunks = 64

// maxChunks bounds the chunks a lane holds (256 KiB of them). Reaching
// it, the lane's grain is made coarse enough to halve them. Each grain
// keeps its first arrival and its latest one (the rest of its bytes), so
// the figures draw the same marks: the grain is under 8/maxChunks of the
// time the chunks span, 1/2000 of it, finer than the 1000 pixels or cells
// a figure has at most, and what it hides lies between its two chunks.
const maxChunks = 1 << 14

// maxGrain is the coarsest grain, taken as one for all time: only a clock
// that went back and forth could need it.
const maxGrain = time.Duration(1) << 62

// Option configures a Recorder made by NewRecorder.
type Option func(*Recorder)

// WithClock makes the Recorder read the time from now instead of time.Now:
// tests inject a fake clock to get exact, repeatable timelines. The function
// may be called from any goroutine that records, and is never called with
// the Recorder's lock held.
func WithClock(now func() time.Time) Option {
	return func(r *Recorder) { r.now = now }
}

// NewRecorder returns a Recorder whose timelines carry the given title (what
// was recorded) and mode (the download model: "blocking", "async",
// "reactor"...).
func NewRecorder(title, mode string, opts ...Option) *Recorder {
	r := &Recorder{title: title, mode: mode}
	for _, o := range opts {
		o(r)
	}
	return r
}

// clock reads the current time.
func (r *Recorder) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// offset turns an instant into an offset from the origin, setting the origin
// on the first event. The clock is read before the lock is taken, so with
// several goroutines an event can carry a time a few nanoseconds older than
// the origin another goroutine set first; it counts as time zero. The caller
// holds r.mu.
func (r *Recorder) offset(now time.Time) time.Duration {
	if !r.started {
		r.started = true
		r.origin = now
		return 0
	}
	return max(now.Sub(r.origin), 0)
}

// lane returns the record of a task, creating it (started at `at`) if the
// task has not been seen yet. The caller holds r.mu.
func (r *Recorder) lane(task int, at time.Duration) *laneRecord {
	if r.last != nil && r.last.Task == task {
		return r.last
	}
	if l, ok := r.lanes[task]; ok {
		r.last = l
		return l
	}
	if r.lanes == nil {
		r.lanes = make(map[int]*laneRecord)
	}
	l := &laneRecord{Lane: Lane{Task: task, Start: at, End: at, Chunks: make([]Chunk, 0, initialChunks)}}
	r.lanes[task] = l
	r.last = l
	return l
}

// Start records that a task began (it started connecting), with the label
// its lane is drawn with, usually the server's address. Starting a task a
// second time changes nothing, except that it gives a label to a task first
// seen through Chunk or End.
func (r *Recorder) Start(task int, label string) {
	now := r.clock()
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lane(task, r.offset(now))
	if l.Label == "" {
		l.Label = label
	}
}

// Chunk records that n bytes arrived for a task. A task not yet started is
// started now, without a label; data for a task that has ended, and n <= 0
// (no data), are ignored.
func (r *Recorder) Chunk(task int, n int) {
	if n <= 0 {
		return
	}
	now := r.clock()
	r.mu.Lock()
	at := r.offset(now)
	l := r.lane(task, at)
	if !l.ended {
		l.add(at, n)
	}
	r.mu.Unlock()
}

// add records n bytes arriving at offset at: into the grain's latest
// chunk if it has two already, otherwise as a new chunk, coarsening the
// grain first if the lane is full.
func (l *laneRecord) add(at time.Duration, n int) {
	defer func() {
		if l.grain > 0 { // merging: the chunks no longer count the reads
			l.Reads++
		}
	}()
	if len(l.Chunks) >= maxChunks && l.latest(at) == nil {
		l.coarsen()
	}
	if c := l.latest(at); c != nil {
		c.At, c.Bytes = max(c.At, at), c.Bytes+n
		return
	}
	if len(l.Chunks) == cap(l.Chunks) {
		// Double rather than let append grow by a quarter, as it does
		// for long slices: a big download then copies each chunk
		// about once instead of about four times.
		grown := make([]Chunk, len(l.Chunks), max(2*cap(l.Chunks), initialChunks))
		copy(grown, l.Chunks)
		l.Chunks = grown
	}
	l.Chunks = append(l.Chunks, Chunk{At: at, Bytes: n})
}

// latest returns the last chunk if it and the one before it are both in
// the grain of at (its first and latest arrivals so far), nil otherwise.
func (l *laneRecord) latest(at time.Duration) *Chunk {
	if l.grain == 0 {
		return nil
	}
	return latestIn(l.Chunks, bin(at, l.grain), l.grain)
}

// latestIn returns the last of chunks if it and the one before it are in
// bin b of grain.
func latestIn(chunks []Chunk, b, grain time.Duration) *Chunk {
	n := len(chunks)
	if n < 2 || bin(chunks[n-2].At, grain) != b || bin(chunks[n-1].At, grain) != b {
		return nil
	}
	return &chunks[n-1]
}

// bin is the grain an offset falls in; maxGrain is one bin for all.
func bin(at, grain time.Duration) time.Duration {
	if grain >= maxGrain {
		return 0
	}
	return at / grain
}

// coarsen doubles the lane's grain (starting from a microsecond), merging
// the chunks of each grain into its first and its latest, until at most
// half of maxChunks are left.
func (l *laneRecord) coarsen() {
	if l.grain == 0 {
		l.Reads = len(l.Chunks) // each read was a chunk until now
	}
	for len(l.Chunks) > maxChunks/2 && l.grain < maxGrain {
		l.grain = min(max(2*l.grain, time.Microsecond), maxGrain)
		l.Chunks = mergeChunks(l.Chunks, l.grain)
	}
}

// mergeChunks merges, in place, each run of neighbours in the same grain
// into the run's first chunk and its latest one, which takes the bytes of
// all but the first.
func mergeChunks(chunks []Chunk, grain time.Duration) []Chunk {
	out := chunks[:0]
	for _, c := range chunks {
		if last := latestIn(out, bin(c.At, grain), grain); last != nil {
			last.At, last.Bytes = max(last.At, c.At), last.Bytes+c.Bytes
			continue
		}
		out = append(out, c)
	}
	return out
}

// End records that a task finished: successfully when err is nil, otherwise
// failed with err's message as the reason. Only the first End of a task
// counts.
func (r *Recorder) End(task int, err error) {
	// The message is taken before locking: err.Error is the caller's code and
	// must not run (or re-enter the Recorder) under the lock.
	reason := ""
	if err != nil {
		reason = err.Error()
		if reason == "" {
			reason = "failed" // a failure must stay visible even with an empty message
		}
	}
	now := r.clock()
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.offset(now)
	l := r.lane(task, at)
	if l.ended {
		return
	}
	l.ended = true
	l.End = max(at, l.Start)
	l.Err = reason
}

// Timeline returns a snapshot of everything recorded so far, with the lanes
// in task-number order. The snapshot shares nothing with the Recorder, so it
// stays as it is while recording goes on. A task that has not ended yet is
// shown ending at the time of the snapshot.
func (r *Recorder) Timeline() Timeline {
	now := r.clock()
	r.mu.Lock()
	defer r.mu.Unlock()
	t := Timeline{Title: r.title, Mode: r.mode, Origin: r.origin}
	if !r.started {
		return t
	}
	at := r.offset(now)
	t.Lanes = make([]Lane, 0, len(r.lanes))
	for _, l := range r.lanes {
		lane := l.Lane
		lane.Chunks = slices.Clone(l.Chunks)
		if !l.ended {
			lane.End = max(at, lane.Start)
		}
		t.Lanes = append(t.Lanes, lane)
	}
	slices.SortFunc(t.Lanes, func(a, b Lane) int { return cmp.Compare(a.Task, b.Task) })
	return t
}
