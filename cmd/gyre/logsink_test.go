package main

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// stuckWriter blocks every write until released.
type stuckWriter struct{ release chan struct{} }

func (w stuckWriter) Write(p []byte) (int, error) {
	<-w.release
	return len(p), nil
}

// failingWriter fails every write, as a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// logRecords puts n records into b.
func logRecords(b *logBuffer, n int) {
	l := slog.New(newLogHandler(b, formatText, slog.LevelInfo))
	for i := range n {
		l.LogAttrs(context.Background(), slog.LevelInfo, "served", slog.Int("i", i))
	}
}

// A writer that never returns blocks neither a flush nor the close: what
// it could not write is counted.
func TestLogSinkStuckWriter(t *testing.T) {
	w := stuckWriter{release: make(chan struct{})}
	defer close(w.release)
	sink := newLogSink(w)
	b := &logBuffer{limit: 4096}
	flushed := 0
	for range 20 { // more hand-overs than the queue holds
		logRecords(b, 10)
		if sink.flush(b) {
			flushed++
		}
	}
	if flushed > sinkQueue+1 {
		t.Errorf("%d hand-overs to a stuck writer, the queue holds %d", flushed, sinkQueue)
	}
	start := time.Now()
	lost, drained := sink.closeWithin(100*time.Millisecond, b)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("close took %v with a stuck writer", took)
	}
	if drained || lost < 100 {
		t.Errorf("lost %d of 200 records (drained %v), want most of them counted", lost, drained)
	}
}

// Records whose write fails are counted as lost.
func TestLogSinkFailingWriter(t *testing.T) {
	sink := newLogSink(failingWriter{})
	b := &logBuffer{}
	logRecords(b, 7)
	lost, drained := sink.closeWithin(time.Second, b)
	if !drained || lost != 7 {
		t.Errorf("lost %d of 7 (drained %v)", lost, drained)
	}
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// On one CPU (GOMAXPROCS 1, as under taskset), a loop that flushes burst
// after burst without ever blocking still gets every batch to a writer
// that keeps up: a flush that finds the queue full lets the writer run.
// Without that, the writer had no turn until the loop blocked, the queue
// filled after a few flushes and the loop's buffer grew by the whole burst.
func TestLogSinkFlushOnOneCPU(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	w := &countingWriter{}
	sink := newLogSink(w)
	b := &logBuffer{limit: 8 << 20}
	refused := 0
	for range 20 * sinkQueue {
		logRecords(b, 64)
		if !sink.flush(b) {
			refused++
		}
	}
	if refused > 0 {
		t.Errorf("%d of %d flushes refused by a writer that keeps up", refused, 20*sinkQueue)
	}
	if len(b.data) > newBufferSize {
		t.Errorf("the loop's buffer holds %d bytes, want at most one batch (%d)", len(b.data), newBufferSize)
	}
	if lost, drained := sink.closeWithin(5*time.Second, b); lost != 0 || !drained {
		t.Errorf("lost %d records (drained %v)", lost, drained)
	}
}

// Every record that never reaches the log, dropped by a full buffer or
// lost in a failed write, is in the sink's count for /metrics, which the
// reports in the log (takeDropped, takeLost) do not reset.
func TestLogSinkDroppedTotal(t *testing.T) {
	sink := newLogSink(failingWriter{})
	b := sink.newBuffer()
	b.limit = 300 // a few records
	logRecords(b, 20)
	if b.dropped == 0 || b.records == 0 {
		t.Fatalf("%d records held, %d dropped: want some of each", b.records, b.dropped)
	}
	b.takeDropped() // reported in the log
	if !sink.flush(b) {
		t.Fatal("flush refused")
	}
	for deadline := time.Now().Add(5 * time.Second); sink.pending.Load() != 0; {
		if time.Now().After(deadline) {
			t.Fatal("the writer never took the batch")
		}
		time.Sleep(time.Millisecond)
	}
	sink.takeLost() // reported in the log
	reg := prometheus.NewRegistry()
	reg.MustRegister(&statsCollector{log: sink})
	if got := gathered(t, reg, "gyre_log_records_dropped_total"); got != 20 {
		t.Errorf("gyre_log_records_dropped_total %v, want 20", got)
	}
	sink.closeWithin(time.Second)
}
