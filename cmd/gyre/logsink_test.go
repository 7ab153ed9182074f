package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
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
