package timeline

import (
	"io"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRecorderChunk is the cost recording adds to every read of a
// download: a clock reading, an uncontended lock, an append. "wall" reads
// the real clock, as downloads do (time.Now is most of the cost); "fixed"
// reads a clock that does nothing, leaving the Recorder's own work. A fresh
// Recorder every 1<<16 chunks keeps memory flat however long it runs (its
// cost is part of the amortised figure, as slice growth is).
func BenchmarkRecorderChunk(b *testing.B) {
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		opts []Option
	}{
		{"wall", nil},
		{"fixed", []Option{WithClock(func() time.Time { return fixed })}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var r *Recorder
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if i&(1<<16-1) == 0 {
					r = NewRecorder("bench", "reactor", c.opts...)
					r.Start(1, "127.0.0.1:10000")
				}
				r.Chunk(1, 4096)
				i++
			}
		})
	}
}

// BenchmarkRecorderChunkParallel records from several goroutines at once,
// one task each, as the threaded and blocking modes do: the lock is
// contended.
func BenchmarkRecorderChunkParallel(b *testing.B) {
	r := NewRecorder("bench", "threaded")
	var tasks atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		task := int(tasks.Add(1))
		r.Start(task, "server")
		n := 0
		for pb.Next() {
			if n == 1<<16 { // keep memory flat: go on as another task
				task, n = int(tasks.Add(1)), 0
			}
			r.Chunk(task, 4096)
			n++
		}
	})
}

// BenchmarkWriteSVG draws a 64 MiB download of 100,000 chunks beside a slow
// poem: the cost is linear in the chunks, the output bounded by the pixels.
func BenchmarkWriteSVG(b *testing.B) {
	t := hugeTimeline(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteSVG(io.Discard, t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteSVGPoems draws the tutorial's three-poem async figure.
func BenchmarkWriteSVGPoems(b *testing.B) {
	t := asyncTimeline()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteSVG(io.Discard, t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteText draws the 100,000-chunk timeline as text.
func BenchmarkWriteText(b *testing.B) {
	t := hugeTimeline(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, t, 72); err != nil {
			b.Fatal(err)
		}
	}
}
