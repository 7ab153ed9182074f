package timeline

import (
	"fmt"
	"time"
)

// The timelines the tests draw, built by hand so that every offset is exact.
// They follow the tutorial's scenario: three slow servers sending a 3000-byte
// poem in 30-byte chunks and two 600-byte poems in 10-byte chunks, one chunk
// every 0.1 s.

const tick = 100 * time.Millisecond

// poemLane is a lane that starts at start, receives size bytes in chunks of
// chunk bytes every 0.1 s (the first 0.1 s after connecting) and ends 0.1 s
// after the last one, when the server closes the connection.
func poemLane(task int, label string, start time.Duration, size, chunk int) Lane {
	return slowPoemLane(task, label, start, size, chunk, tick)
}

// slowPoemLane is poemLane with another delay between chunks.
func slowPoemLane(task int, label string, start time.Duration, size, chunk int, every time.Duration) Lane {
	l := Lane{Task: task, Label: label, Start: start}
	at := start
	for got := 0; got < size; got += chunk {
		at += every
		l.Chunks = append(l.Chunks, Chunk{At: at, Bytes: min(chunk, size-got)})
	}
	l.End = at + every
	return l
}

// blockingTimeline is figure 1: the three poems one after another.
func blockingTimeline() Timeline {
	a := poemLane(1, "127.0.0.1:10000", 0, 3000, 30)
	b := poemLane(2, "127.0.0.1:10001", a.End, 600, 10)
	c := poemLane(3, "127.0.0.1:10002", b.End, 600, 10)
	return Timeline{Title: "gyre get", Mode: "blocking", Lanes: []Lane{a, b, c}}
}

// waitingTimeline is figure 4: the synchronous model at the slow servers'
// real default delay (0.7 s between chunks), with shorter poems, so that
// the waiting between chunks shows even in a terminal.
func waitingTimeline() Timeline {
	const delay = 700 * time.Millisecond
	a := slowPoemLane(1, "127.0.0.1:10000", 0, 300, 30, delay)
	b := slowPoemLane(2, "127.0.0.1:10001", a.End, 60, 10, delay)
	c := slowPoemLane(3, "127.0.0.1:10002", b.End, 60, 10, delay)
	return Timeline{Title: "gyre get", Mode: "blocking", Lanes: []Lane{a, b, c}}
}

// asyncTimeline is figure 3: the same poems, interleaved on one thread; each
// server is a few milliseconds behind the previous one.
func asyncTimeline() Timeline {
	return Timeline{Title: "gyre get", Mode: "async", Lanes: []Lane{
		poemLane(1, "127.0.0.1:10000", 0, 3000, 30),
		poemLane(2, "127.0.0.1:10001", 3*time.Millisecond, 600, 10),
		poemLane(3, "127.0.0.1:10002", 6*time.Millisecond, 600, 10),
	}}
}

// failedTimeline has a task whose connection is reset half-way and one whose
// connection is refused at once, among two that succeed.
func failedTimeline() Timeline {
	reset := poemLane(2, "127.0.0.1:10001", 0, 250, 10)
	reset.End -= tick / 2
	reset.Err = "read tcp 127.0.0.1:52814->127.0.0.1:10001: read: connection reset by peer"
	refused := Lane{Task: 4, Label: "127.0.0.1:10003", Start: time.Millisecond, End: 2 * time.Millisecond,
		Err: "dial tcp 127.0.0.1:10003: connect: connection refused"}
	return Timeline{Title: "gyre get", Mode: "reactor", Lanes: []Lane{
		poemLane(1, "127.0.0.1:10000", 0, 3000, 30),
		reset,
		poemLane(3, "127.0.0.1:10002", 0, 600, 10),
		refused,
	}}
}

// singleChunkTimeline is a poem that arrives in one read, beside a slow one.
func singleChunkTimeline() Timeline {
	return Timeline{Title: "one read", Mode: "reactor", Lanes: []Lane{
		{Task: 1, Label: "fast:10000", Start: 0, End: 40 * time.Millisecond,
			Chunks: []Chunk{{At: 20 * time.Millisecond, Bytes: 3000}}},
		poemLane(2, "slow:10001", 0, 50, 10),
	}}
}

// hugeTimeline is a 64 MiB download in n chunks of equal size, spread evenly
// over 2 s, beside a slow poem.
func hugeTimeline(n int) Timeline {
	big := Lane{Task: 1, Label: "bulk:10000", Start: 0, End: 2*time.Second + time.Millisecond}
	big.Chunks = make([]Chunk, n)
	for i := range big.Chunks {
		big.Chunks[i] = Chunk{At: time.Millisecond + time.Duration(i)*2*time.Second/time.Duration(n), Bytes: 64 << 20 / n}
	}
	return Timeline{Title: fmt.Sprintf("64 MiB in %d chunks", n), Mode: "reactor", Lanes: []Lane{
		big,
		poemLane(2, "slow:10001", 0, 100, 10),
	}}
}

// instantTimeline is a timeline in which no time passed at all: one task
// refused at once and one whose only chunk came with the connection.
func instantTimeline() Timeline {
	return Timeline{Title: "instant", Mode: "async", Lanes: []Lane{
		{Task: 1, Label: "127.0.0.1:10000", Err: "connection refused"},
		{Task: 2, Label: "127.0.0.1:10001", Chunks: []Chunk{{At: 0, Bytes: 5}}},
	}}
}

// zeroLaneTimeline has a zero-length lane in the middle of a longer one.
func zeroLaneTimeline() Timeline {
	return Timeline{Title: "blink", Mode: "blocking", Lanes: []Lane{
		poemLane(1, "127.0.0.1:10000", 0, 100, 10),
		{Task: 2, Label: "127.0.0.1:10001", Start: 500 * time.Millisecond, End: 500 * time.Millisecond},
		poemLane(3, "127.0.0.1:10002", 500*time.Millisecond, 50, 10),
	}}
}

// hostileLabel is a label written to break out of the markup.
// It fits the SVG's label limit, so it must come back whole.
const hostileLabel = `<script>alert("x")</script>&'q']]>&amp;`

// hostileTimeline carries hostile text in every user-controlled field, plus
// control characters and bytes that are not UTF-8.
func hostileTimeline() Timeline {
	return Timeline{Title: `</title><script>alert(1)</script><!--`, Mode: `"><g onload="x">`, Lanes: []Lane{
		{Task: 1, Label: hostileLabel, Start: 0, End: time.Second, Chunks: []Chunk{{At: tick, Bytes: 7}}},
		{Task: 2, Label: "tab\there\nnew line \x00\x1b[31m bad\xff\xfe utf8 é", Start: 0, End: time.Second,
			Err: "<b>boom</b> & \"worse\"\r\n"},
	}}
}
