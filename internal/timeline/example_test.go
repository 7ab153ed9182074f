package timeline_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"gyre/internal/timeline"
)

// A download loop records each task's start, every chunk it reads and its
// end. Here a fake clock stands in for the network's timing.
func ExampleRecorder() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	r := timeline.NewRecorder("gyre get", "blocking", timeline.WithClock(clock))

	r.Start(1, "127.0.0.1:10000")
	for range 3 {
		now = now.Add(100 * time.Millisecond)
		r.Chunk(1, 30)
	}
	r.End(1, nil)
	r.Start(2, "127.0.0.1:10001")
	now = now.Add(2 * time.Millisecond)
	r.End(2, errors.New("connection refused"))

	for _, l := range r.Timeline().Lanes {
		fmt.Printf("task %d %s: started at %v, %d bytes in %d chunks, ended at %v, err %q\n",
			l.Task, l.Label, l.Start, l.Bytes(), len(l.Chunks), l.End, l.Err)
	}
	// Output:
	// task 1 127.0.0.1:10000: started at 0s, 90 bytes in 3 chunks, ended at 300ms, err ""
	// task 2 127.0.0.1:10001: started at 300ms, 0 bytes in 0 chunks, ended at 302ms, err "connection refused"
}

// The text figure of two poems downloaded one after the other (the
// synchronous model), each arriving in 30-byte chunks every 0.5 s.
func ExampleWriteText() {
	lane := func(task int, addr string, start time.Duration) timeline.Lane {
		l := timeline.Lane{Task: task, Label: addr, Start: start, End: start + 3*time.Second}
		for at := start + 500*time.Millisecond; at < l.End; at += 500 * time.Millisecond {
			l.Chunks = append(l.Chunks, timeline.Chunk{At: at, Bytes: 30})
		}
		return l
	}
	t := timeline.Timeline{Title: "gyre get", Mode: "blocking", Lanes: []timeline.Lane{
		lane(1, "127.0.0.1:10000", 0),
		lane(2, "127.0.0.1:10001", 3*time.Second),
	}}
	if err := timeline.WriteText(os.Stdout, t, 48); err != nil {
		fmt.Println(err)
	}
	// Output:
	// gyre get (blocking mode)
	// 127.0.0.1:10000 |----#---#---#---#---#---                        | 150 B  3.00 s
	// 127.0.0.1:10001 |                        ----#---#---#---#---#---| 150 B  3.00 s
	//                 +--------+-------+-------+-------+-------+-------+
	//                 0 s      1 s     2 s     3 s     4 s     5 s     6 s
	// legend: # data received, - waiting, x failed; one cell = 125.0 ms
}

// WriteSVG makes a standalone image; each task is a <g class="lane"> group.
func ExampleWriteSVG() {
	t := timeline.Timeline{Title: "gyre get", Mode: "async", Lanes: []timeline.Lane{
		{Task: 1, Label: "127.0.0.1:10000", End: time.Second, Chunks: []timeline.Chunk{{At: 500 * time.Millisecond, Bytes: 30}}},
		{Task: 2, Label: "127.0.0.1:10001", End: time.Second, Err: "connection reset by peer"},
	}}
	var b bytes.Buffer
	if err := timeline.WriteSVG(&b, t); err != nil {
		fmt.Println(err)
		return
	}
	for line := range strings.Lines(b.String()) {
		if strings.HasPrefix(line, "<svg") || strings.HasPrefix(line, `<g class="lane"`) {
			fmt.Print(line)
		}
	}
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="1000" height="222" viewBox="0 0 1000 222" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
	// <g class="lane" data-task="1" data-state="done">
	// <g class="lane" data-task="2" data-state="failed">
}
