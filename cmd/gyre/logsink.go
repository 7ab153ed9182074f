package main

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// logSink writes gyre serve's log on a goroutine of its own. A reactor
// loop never writes to stderr itself: its handler formats records into a
// logBuffer, and a timer of the loop hands the whole buffer over every
// flushEvery (one write(2) for hundreds of records).
//
// Nothing ever waits for the writer. If stderr blocks (a pipe nobody
// reads), only the writer goroutine is stuck: a flush that finds the queue
// full leaves the records in their buffer, which grows up to its limit and
// then counts what it drops; the loops go on serving and signals are still
// heard. A record whose write fails (a closed pipe: gyre ignores SIGPIPE)
// is counted as lost too. At exit, close gives the writer a bounded time
// to finish and counts what it could not write.
type logSink struct {
	w     io.Writer
	queue chan logBatch // buffers to write, in order
	free  chan []byte   // written buffers, for reuse
	done  chan struct{}

	pending atomic.Int64 // records handed over, not yet written
	lost    atomic.Int64 // records handed over whose write failed
	// dropped counts, for ever, the records that never reached the log:
	// dropped by a full buffer of the sink's (newBuffer) or lost in a
	// failed write. lost and the buffers' own counts are taken (reset) by
	// the reports in the log; this one is /metrics' counter, which only
	// grows.
	dropped atomic.Int64

	// mu orders hand-overs (read-locked) before the close of queue: a
	// loop still flushing when gyre exits at once must not send on a
	// closed channel.
	mu     sync.RWMutex
	closed bool
}

// logBatch is one handed-over buffer and the records it holds.
type logBatch struct {
	data    []byte
	records int
}

// sinkQueue is how many handed-over buffers may wait for the writer (and
// how many written ones are kept for reuse, if no larger than maxReused).
const (
	sinkQueue     = 8
	maxReused     = 256 << 10
	newBufferSize = 16 << 10 // about flushRecords client records
	yieldTries    = 4        // see offerAgain
)

func newLogSink(w io.Writer) *logSink {
	s := &logSink{
		w:     w,
		queue: make(chan logBatch, sinkQueue),
		free:  make(chan []byte, sinkQueue),
		done:  make(chan struct{}),
	}
	go s.run()
	return s
}

func (s *logSink) run() {
	defer close(s.done)
	for b := range s.queue {
		if _, err := s.w.Write(b.data); err != nil {
			// A log that cannot be written is not worth dying for:
			// count it and go on.
			s.lost.Add(int64(b.records))
			s.dropped.Add(int64(b.records))
		}
		s.pending.Add(-int64(b.records))
		if cap(b.data) > maxReused {
			continue // a buffer that grew while the writer was behind
		}
		select {
		case s.free <- b.data[:0]:
		default:
		}
	}
}

// flush hands what b holds to the writer, without waiting: when the writer
// is behind, the records stay in b for the next flush and flush reports
// false.
func (s *logSink) flush(b *logBuffer) bool {
	return s.handOver(b, nil)
}

// handOver gives b's records to the writer, waiting until deadline fires
// if it is not nil.
func (s *logSink) handOver(b *logBuffer, deadline <-chan struct{}) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.data) == 0 || s.closed {
		return len(b.data) == 0
	}
	batch := logBatch{data: b.data, records: b.records}
	s.pending.Add(int64(batch.records))
	select {
	case s.queue <- batch:
	default:
		if !s.offerAgain(batch, deadline) {
			s.pending.Add(-int64(batch.records))
			return false
		}
	}
	select {
	case spare := <-s.free:
		b.data = spare
	default:
		// A new buffer the size of a batch at once, rather than one
		// grown by doubling (which leaves its smaller copies behind).
		b.data = make([]byte, 0, newBufferSize)
	}
	b.records = 0
	return true
}

// offerAgain is a hand-over's second chance when the queue is full. With
// a deadline it waits for room until the deadline fires. Without one (a
// loop's flush, which never waits) it lets the writer goroutine run
// (runtime.Gosched) and offers batch again. That matters when the
// process has one CPU (GOMAXPROCS 1, as under taskset): the writer then
// runs only when a loop lets go of the processor, and a loop serving a
// burst (ten thousand slow clients ending within a few milliseconds) would
// otherwise fill the queue and then grow its buffer by megabytes before
// the writer had a turn. It tries yieldTries times, because the scheduler
// now and then picks the yielding goroutine again first. A writer blocked in
// write(2) is not runnable: each Gosched returns at once and the records
// stay in the buffer, as before.
func (s *logSink) offerAgain(batch logBatch, deadline <-chan struct{}) bool {
	if deadline == nil {
		for range yieldTries {
			runtime.Gosched()
			select {
			case s.queue <- batch:
				return true
			default:
			}
		}
		return false
	}
	select {
	case s.queue <- batch:
		return true
	case <-deadline:
		return false
	}
}

// newBuffer returns a log buffer, bounded, whose dropped records the sink
// counts in droppedTotal.
func (s *logSink) newBuffer() *logBuffer {
	return &logBuffer{limit: logBufferLimit, tally: &s.dropped}
}

// droppedTotal is how many records never reached the log since the sink
// started: dropped by its buffers, or lost in a failed write. It may be
// read from any goroutine.
func (s *logSink) droppedTotal() int64 { return s.dropped.Load() }

// takeLost returns how many handed-over records could not be written since
// the last call.
func (s *logSink) takeLost() int64 { return s.lost.Swap(0) }

// closeWithin hands over what the buffers hold and stops the writer,
// waiting at most d for it to write everything. It returns the records
// that were not written: left in a buffer, failed, or still queued when
// the time ran out (the writer goroutine is then abandoned, blocked in its
// write, and dies with the process). drained says whether the writer
// finished: only then may the caller write to the log's writer itself
// without risking a block. Nothing may be flushed afterwards.
func (s *logSink) closeWithin(d time.Duration, bufs ...*logBuffer) (unwritten int64, drained bool) {
	// A channel that stays closed once the time is up, for every wait
	// below (a timer's channel fires once, for one of them).
	expired := make(chan struct{})
	timer := time.AfterFunc(d, func() { close(expired) })
	defer timer.Stop()
	for _, b := range bufs {
		if !s.handOver(b, expired) {
			b.mu.Lock()
			unwritten += int64(b.records)
			b.mu.Unlock()
		}
		unwritten += b.takeDropped()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return unwritten, false
	}
	s.closed = true
	close(s.queue)
	s.mu.Unlock()
	select {
	case <-s.done:
		drained = true
	case <-expired:
		unwritten += s.pending.Load()
	}
	return unwritten + s.lost.Load(), drained
}
