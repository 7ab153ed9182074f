package progress_test

import (
	"fmt"
	"strings"
	"time"

	"gyre/internal/progress"
)

// A board for three downloads, fed as the chunks arrive, drawn here into a
// string (on a terminal it is redrawn in place). The clock is fixed so
// that rates and times come out the same every run.
func Example() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := start
	var screen strings.Builder
	b := progress.New(&screen, []progress.Task{
		{Name: "Task 1", Label: "127.0.0.1:10000", Total: 3014},
		{Name: "Task 2", Label: "127.0.0.1:10001"},
		{Name: "Task 3", Label: "127.0.0.1:1"},
	}, progress.Always(100), progress.WithClock(func() time.Time { return now }))

	b.Start(0)
	b.Start(1)
	b.Start(2)
	b.Finish(2, "connection refused")
	for range 10 {
		now = now.Add(100 * time.Millisecond)
		b.Add(0, 30)
		b.Add(1, 10)
	}
	b.Finish(1, "")
	b.Wait() // task 1 never finished: it is shown abandoned

	// The last frame drawn is after the last "clear to the end" code.
	frame := screen.String()
	frame = frame[strings.LastIndex(frame, "\x1b[J")+len("\x1b[J"):]
	for _, line := range strings.Split(strings.TrimSpace(frame), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Task 1  127.0.0.1:10000  [=                 ]      300 B      333 B/s  failed: abandoned
	// Task 2  127.0.0.1:10001  [==================]      100 B      111 B/s  done in 0:00:01
	// Task 3  127.0.0.1:1      [                  ]        0 B               failed: connection refused
}

// A board bounded to four lines, for a terminal of five rows, showing ten
// tasks: three lines show a window of them, and the last counts them all.
// A task that begins while every line shows one under way waits for the
// line of the next task to end, so the window follows the tasks under way.
func ExampleWithMaxLines() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tasks := make([]progress.Task, 10)
	for i := range tasks {
		tasks[i] = progress.Task{Name: fmt.Sprintf("Task %d", i+1), Label: "127.0.0.1:10000"}
	}
	var screen strings.Builder
	b := progress.New(&screen, tasks, progress.Always(100), progress.WithMaxLines(4),
		progress.WithClock(func() time.Time { return now }))
	for i := range tasks {
		b.Start(i)
	}
	for i := range 7 { // tasks 1 to 7 end; 8, 9 and 10 take their lines
		now = now.Add(time.Second)
		b.Add(i, 600)
		b.Finish(i, "")
	}
	b.Finish(8, "connection refused")
	b.Wait() // tasks 8 and 10 never finished: abandoned

	frame := screen.String()
	frame = frame[strings.LastIndex(frame, "\x1b[J")+len("\x1b[J"):]
	for _, line := range strings.Split(strings.TrimSpace(frame), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Task 10  127.0.0.1:10000  [                  ]        0 B               failed: abandoned
	// Task 8   127.0.0.1:10000  [                  ]        0 B               failed: abandoned
	// Task 9   127.0.0.1:10000  [                  ]        0 B               failed: connection refused
	// 10 tasks: 7 done, 3 failed, 0 under way, 0 waiting
}
