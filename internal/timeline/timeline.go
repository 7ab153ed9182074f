package timeline

import "time"

// Timeline is a finished recording: what a set of tasks did over one shared
// span of time. It is plain data, so a test or a caller may also build one by
// hand; the renderers never modify it.
//
// All times are offsets from Origin. The renderers tolerate malformed values
// (negative offsets, an End before its Start, chunks outside their lane's
// span) by clamping them into place rather than failing.
type Timeline struct {
	Title  string    // what was recorded, e.g. "gyre get"
	Mode   string    // the download model, e.g. "blocking", "async", "reactor"
	Origin time.Time // the instant offset 0 stands for: the first recorded event
	Lanes  []Lane    // one per task, in the order they are drawn
}

// Lane is what one task (one poem, one server) did.
type Lane struct {
	Task   int           // the caller's task number (the tutorial counts from 1)
	Label  string        // what to call the lane, usually the server's address
	Start  time.Duration // when the task began (it started connecting)
	End    time.Duration // when it finished, failed, or the snapshot was taken
	Chunks []Chunk       // the data received, in arrival order (a Recorder merges near ones past 16384)
	Reads  int           // how many chunks arrived, once a Recorder has merged some (0: each is in Chunks)
	Err    string        // why the task failed; empty when it did not
}

// ReadCount is how many chunks arrived for the task: Reads, or while none
// was merged, the number of Chunks.
func (l Lane) ReadCount() int {
	if l.Reads > 0 {
		return l.Reads
	}
	return len(l.Chunks)
}

// Chunk is one piece of data arriving for a task.
type Chunk struct {
	At    time.Duration // arrival time, as an offset from the timeline's origin
	Bytes int           // how many bytes arrived
}

// Failed reports whether the task ended in failure.
func (l Lane) Failed() bool { return l.Err != "" }

// Bytes is the total number of bytes the task received.
func (l Lane) Bytes() int64 {
	var n int64
	for _, c := range l.Chunks {
		n += int64(c.Bytes)
	}
	return n
}

// Duration is how long the task existed, from Start to End (never negative).
func (l Lane) Duration() time.Duration {
	return max(l.End-l.Start, 0)
}

// Span is the offset of the last thing that happened in the timeline: the
// latest lane end or chunk arrival. It is zero for an empty timeline.
func (t Timeline) Span() time.Duration {
	var span time.Duration
	for _, l := range t.Lanes {
		span = max(span, l.Start, l.End)
		// Chunks are normally inside the lane's span; the last one is
		// enough when they are in order, but a hand-built lane may not be.
		for _, c := range l.Chunks {
			span = max(span, c.At)
		}
	}
	return span
}

// Bytes is the total number of bytes received by all tasks.
func (t Timeline) Bytes() int64 {
	var n int64
	for _, l := range t.Lanes {
		n += l.Bytes()
	}
	return n
}

// Failures counts the lanes that ended in failure.
func (t Timeline) Failures() int {
	n := 0
	for _, l := range t.Lanes {
		if l.Failed() {
			n++
		}
	}
	return n
}
