package main

import "io"

// logSink writes gyre serve's log on a goroutine of its own. A reactor
// loop never writes to stderr itself: its handler formats records into a
// logBuffer, and a timer of the loop hands the whole buffer over every
// flushEvery (one write(2) for hundreds of records). If stderr blocks (a
// full pipe nobody reads), only this goroutine waits; the loops keep
// serving, buffering up to their limit and then counting what they drop.
type logSink struct {
	w     io.Writer
	queue chan []byte // buffers to write, in order
	free  chan []byte // written buffers, for reuse
	done  chan struct{}
}

// sinkQueue is how many handed-over buffers may wait for the writer (and
// how many written ones are kept for reuse, if no larger than maxReused).
const (
	sinkQueue     = 8
	maxReused     = 256 << 10
	newBufferSize = 16 << 10 // about flushRecords client records
)

func newLogSink(w io.Writer) *logSink {
	s := &logSink{
		w:     w,
		queue: make(chan []byte, sinkQueue),
		free:  make(chan []byte, sinkQueue),
		done:  make(chan struct{}),
	}
	go s.run()
	return s
}

func (s *logSink) run() {
	defer close(s.done)
	for buf := range s.queue {
		s.w.Write(buf) // a log that cannot be written is not worth dying for
		if cap(buf) > maxReused {
			continue // a buffer that grew while the writer was behind
		}
		select {
		case s.free <- buf[:0]:
		default:
		}
	}
}

// flush hands what b holds to the writer. Without wait it gives up when
// the writer is behind (the records stay in b for the next flush) and
// reports false.
func (s *logSink) flush(b *logBuffer, wait bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.data) == 0 {
		return true
	}
	if wait {
		s.queue <- b.data
	} else {
		select {
		case s.queue <- b.data:
		default:
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
	return true
}

// close writes what was handed over and stops the writer. Nothing may be
// flushed afterwards.
func (s *logSink) close() {
	close(s.queue)
	<-s.done
}
