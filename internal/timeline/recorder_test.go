package timeline

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gyre/task"
)

func TestRecorderTimeline(t *testing.T) {
	clock := task.NewClock()
	origin := clock.Now()
	r := NewRecorder("gyre get", "async", WithClock(clock.Now))
	ms := time.Millisecond

	r.Start(2, "127.0.0.1:10001") // tasks may start in any order
	clock.Advance(1 * ms)
	r.Start(1, "127.0.0.1:10000")
	clock.Advance(99 * ms)
	r.Chunk(1, 30)
	r.Chunk(2, 10)
	clock.Advance(100 * ms)
	r.Chunk(1, 30)
	clock.Advance(5 * ms)
	r.End(2, errors.New("connection reset by peer"))
	clock.Advance(5 * ms)
	r.End(1, nil)

	want := Timeline{Title: "gyre get", Mode: "async", Origin: origin, Lanes: []Lane{
		{Task: 1, Label: "127.0.0.1:10000", Start: 1 * ms, End: 210 * ms,
			Chunks: []Chunk{{At: 100 * ms, Bytes: 30}, {At: 200 * ms, Bytes: 30}}},
		{Task: 2, Label: "127.0.0.1:10001", Start: 0, End: 205 * ms,
			Chunks: []Chunk{{At: 100 * ms, Bytes: 10}}, Err: "connection reset by peer"},
	}}
	got := r.Timeline()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("timeline:\n got %+v\nwant %+v", got, want)
	}
	if got.Lanes[0].Bytes() != 60 || got.Lanes[0].Duration() != 209*ms || got.Span() != 210*ms {
		t.Errorf("derived values: bytes %d, duration %v, span %v", got.Lanes[0].Bytes(), got.Lanes[0].Duration(), got.Span())
	}
	if got.Bytes() != 70 || got.Failures() != 1 || !got.Lanes[1].Failed() || got.Lanes[0].Failed() {
		t.Errorf("totals: bytes %d, failures %d", got.Bytes(), got.Failures())
	}
}

// Calls out of the expected order are absorbed, never fatal.
func TestRecorderOddCalls(t *testing.T) {
	clock := task.NewClock()
	r := NewRecorder("", "", WithClock(clock.Now))
	ms := time.Millisecond

	r.Chunk(7, 5) // before Start: starts the task, without a label
	clock.Advance(ms)
	r.Start(7, "late label") // gives the label, keeps the start
	r.Start(7, "second label")
	r.Chunk(7, 0)  // no data
	r.Chunk(7, -3) // nonsense
	r.End(7, errors.New(""))
	clock.Advance(ms)
	r.End(7, nil)   // a second End changes nothing
	r.Chunk(7, 100) // data after the end is ignored
	r.End(8, nil)   // End of an unknown task: a lane of zero length

	want := []Lane{
		{Task: 7, Label: "late label", Start: 0, End: ms, Chunks: []Chunk{{At: 0, Bytes: 5}}, Err: "failed"},
		{Task: 8, Start: 2 * ms, End: 2 * ms, Chunks: []Chunk{}},
	}
	if got := r.Timeline().Lanes; !reflect.DeepEqual(got, want) {
		t.Fatalf("lanes:\n got %+v\nwant %+v", got, want)
	}
}

// A snapshot is independent of the Recorder in both directions, and shows
// a task still running as ending at the time of the snapshot.
func TestRecorderSnapshot(t *testing.T) {
	clock := task.NewClock()
	r := NewRecorder("t", "m", WithClock(clock.Now))
	r.Start(1, "a")
	clock.Advance(time.Second)
	r.Chunk(1, 10)
	clock.Advance(time.Second)

	snap := r.Timeline()
	if l := snap.Lanes[0]; l.End != 2*time.Second || l.Failed() {
		t.Fatalf("running lane in snapshot: %+v", l)
	}
	snap.Lanes[0].Chunks[0].Bytes = 999
	snap.Lanes[0].Label = "changed"
	r.Chunk(1, 20)
	r.Start(2, "b")

	again := r.Timeline()
	if l := again.Lanes[0]; l.Chunks[0].Bytes != 10 || l.Label != "a" || len(l.Chunks) != 2 {
		t.Errorf("the Recorder saw the snapshot's changes: %+v", l)
	}
	if len(snap.Lanes) != 1 || len(snap.Lanes[0].Chunks) != 1 {
		t.Errorf("the snapshot saw later recording: %+v", snap)
	}
}

func TestRecorderEmptyAndZero(t *testing.T) {
	if tl := NewRecorder("t", "m").Timeline(); len(tl.Lanes) != 0 || tl.Span() != 0 || !tl.Origin.IsZero() {
		t.Errorf("empty recorder: %+v", tl)
	}
	var r Recorder // the zero Recorder works, on the wall clock
	r.Start(1, "x")
	r.Chunk(1, 3)
	r.End(1, nil)
	tl := r.Timeline()
	if len(tl.Lanes) != 1 || tl.Lanes[0].Bytes() != 3 || tl.Lanes[0].End < tl.Lanes[0].Start || tl.Origin.IsZero() {
		t.Errorf("zero recorder: %+v", tl)
	}
}

// Tasks recorded from several goroutines at once, as the blocking and
// threaded modes do; run with -race.
func TestRecorderConcurrent(t *testing.T) {
	const tasks, chunks = 8, 500
	r := NewRecorder("threads", "threaded")
	var wg sync.WaitGroup
	for task := 1; task <= tasks; task++ {
		wg.Go(func() {
			r.Start(task, "server")
			for range chunks {
				r.Chunk(task, task)
			}
			r.End(task, nil)
		})
	}
	// Snapshots taken while recording goes on must be consistent too.
	stop := make(chan struct{})
	bad := make(chan int, 1) // the largest lane seen by the snapshot goroutine
	go func() {
		most := 0
		for {
			select {
			case <-stop:
				bad <- most
				return
			default:
				for _, l := range r.Timeline().Lanes {
					most = max(most, len(l.Chunks))
				}
			}
		}
	}()
	wg.Wait()
	close(stop)
	select {
	case most := <-bad:
		if most > chunks {
			t.Errorf("a snapshot had a lane of %d chunks, more than the %d sent", most, chunks)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the snapshot goroutine did not stop")
	}
	tl := r.Timeline()
	if len(tl.Lanes) != tasks {
		t.Fatalf("%d lanes, want %d", len(tl.Lanes), tasks)
	}
	for i, l := range tl.Lanes {
		if l.Task != i+1 || len(l.Chunks) != chunks || l.Bytes() != int64(chunks*l.Task) {
			t.Errorf("lane %d: task %d, %d chunks, %d bytes", i, l.Task, len(l.Chunks), l.Bytes())
		}
		for j := 1; j < len(l.Chunks); j++ {
			if l.Chunks[j].At < l.Chunks[j-1].At {
				t.Fatalf("lane %d: chunk %d arrives before the one before it", i, j)
			}
		}
	}
}

// Chunk is on the download's hot path: once the lane's slice has room, a
// call allocates nothing.
func TestRecorderChunkDoesNotAllocate(t *testing.T) {
	r := NewRecorder("t", "m")
	r.Start(1, "a")
	if n := testing.AllocsPerRun(1000, func() { r.Chunk(1, 10) }); n != 0 {
		t.Errorf("Chunk allocates %v times per call", n)
	}
}

// A download that trickles one byte per read for ever keeps its lane
// bounded: a million one-byte chunks are held as at most maxChunks, and
// no byte is lost. Every chunk was kept, 16 bytes each, without end.
func TestRecorderBoundedChunks(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := NewRecorder("gyre get", "reactor", WithClock(func() time.Time { return now }))
	r.Start(1, "127.0.0.1:10000")
	// 61 times what the recorder holds, so it has had to fold its chunks
	// together several times over (10 million took a minute under -race
	// on a loaded two-core machine, and tested nothing more).
	const n = 1_000_000
	for range n {
		now = now.Add(time.Microsecond)
		r.Chunk(1, 1)
	}
	r.mu.Lock()
	held, capacity := len(r.lanes[1].Chunks), cap(r.lanes[1].Chunks)
	r.mu.Unlock()
	if held > maxChunks || capacity > maxChunks {
		t.Errorf("%d chunks held in a slice of %d, want at most %d", held, capacity, maxChunks)
	}
	if got := r.Timeline().Bytes(); got != n {
		t.Errorf("%d bytes recorded, want %d", got, n)
	}

	// A clock that jumps back and forth is bounded too.
	r.Start(2, "127.0.0.1:10001")
	for i := range 100_000 {
		now = now.Add(time.Duration(1-2*(i%2)) * 1000 * time.Hour)
		r.Chunk(2, 1)
	}
	if got := r.Timeline().Lanes[1]; len(got.Chunks) > maxChunks || got.Bytes() != 100_000 {
		t.Errorf("jumping clock: %d chunks, %d bytes", len(got.Chunks), got.Bytes())
	}
}

// Merging does not change the figures: a lane of 100,000 chunks at uneven
// times draws as it did with every chunk kept.
func TestRecorderMergedDrawsTheSame(t *testing.T) {
	// Bursts and pauses: 3 µs apart, a pause of 70 ms every 997 reads.
	testMergedDrawsTheSame(t, func(i int) time.Duration {
		if i%997 == 0 {
			return 70*time.Millisecond + 3*time.Microsecond
		}
		return 3 * time.Microsecond
	})
	// Anything from a microsecond to 2 ms apart.
	rng := rand.New(rand.NewPCG(1, 2))
	testMergedDrawsTheSame(t, func(int) time.Duration {
		return time.Microsecond + time.Duration(rng.Int64N(int64(2*time.Millisecond)))
	})
}

// testMergedDrawsTheSame records 100,000 chunks, gap(i) apart, and draws
// them as recorded and as kept.
func testMergedDrawsTheSame(t *testing.T, gap func(i int) time.Duration) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := origin
	r := NewRecorder("gyre get", "reactor", WithClock(func() time.Time { return now }))
	r.Start(1, "127.0.0.1:10000")
	full := Timeline{Title: "gyre get", Mode: "reactor", Origin: origin, Lanes: []Lane{{Task: 1, Label: "127.0.0.1:10000"}}}
	for i := range 100_000 {
		now = now.Add(gap(i))
		r.Chunk(1, i%7+1)
		full.Lanes[0].Chunks = append(full.Lanes[0].Chunks, Chunk{At: now.Sub(origin), Bytes: i%7 + 1})
	}
	r.End(1, nil)
	full.Lanes[0].End = now.Sub(origin)
	merged := r.Timeline()
	if len(merged.Lanes[0].Chunks) > maxChunks {
		t.Fatalf("%d chunks kept", len(merged.Lanes[0].Chunks))
	}
	for _, width := range []int{60, MaxTextWidth} {
		var a, b strings.Builder
		WriteText(&a, full, width)
		WriteText(&b, merged, width)
		if a.String() != b.String() {
			t.Errorf("text figure %d wide differs:\n%s\nmerged:\n%s", width, a.String(), b.String())
		}
	}
	// The SVG is the same too, its tooltip's count of chunks included: it
	// counts the reads, not the chunks a merge has kept.
	var a, b strings.Builder
	WriteSVG(&a, full)
	WriteSVG(&b, merged)
	if a.String() != b.String() {
		t.Errorf("SVG figure differs:\n%s\nmerged:\n%s", a.String(), b.String())
	}
}
