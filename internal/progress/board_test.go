package progress_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"gyre/internal/progress"
)

// lastFrame is the board as a terminal shows it at the end: mpb redraws by
// moving the cursor up (ESC [ n A) and clearing (ESC [ J), so the last
// frame is what follows the last clear.
func lastFrame(out string) string {
	if i := strings.LastIndex(out, "\x1b[J"); i >= 0 {
		out = out[i+len("\x1b[J"):]
	}
	return out
}

func TestBoardFinalFrame(t *testing.T) {
	var out bytes.Buffer
	b := progress.New(&out, []progress.Task{
		{Name: "Task 1", Label: "127.0.0.1:10000", Total: 3000},
		{Name: "Task 2", Label: "127.0.0.1:10001"},
		{Name: "Task 3", Label: "127.0.0.1:1"},
	}, progress.Always(100), progress.WithRefresh(10*time.Millisecond))
	b.Start(0)
	b.Start(1)
	b.Start(2)
	b.Add(0, 1000)
	b.Add(0, 2000)
	b.Add(1, 593)
	b.Finish(0, "")
	b.Finish(1, "")
	b.Finish(2, "connection refused")
	done := make(chan struct{})
	go func() { b.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return")
	}
	frame := lastFrame(out.String())
	lines := strings.Split(strings.TrimRight(frame, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("last frame has %d lines:\n%s", len(lines), frame)
	}
	for i, want := range []string{
		"Task 1  127.0.0.1:10000  [==================]     3000 B",
		"Task 2  127.0.0.1:10001  [==================]      593 B",
		"Task 3  127.0.0.1:1      [                  ]        0 B",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d:\n%q\nwant it to start with\n%q", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "done in") || !strings.Contains(lines[2], "failed: connection refused") {
		t.Errorf("states missing:\n%s", frame)
	}
}

// Wait on tasks that never finished shows them as abandoned instead of
// hanging.
func TestBoardWaitAbandons(t *testing.T) {
	var out bytes.Buffer
	b := progress.New(&out, []progress.Task{{Name: "Task 1", Label: "x"}}, progress.Always(80))
	b.Start(0)
	done := make(chan struct{})
	go func() { b.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return")
	}
	if !strings.Contains(lastFrame(out.String()), "failed: abandoned") {
		t.Errorf("final frame: %q", lastFrame(out.String()))
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 593: "593 B", 3014: "3014 B", 15872: "15.5 KiB", 64 << 20: "64.0 MiB"} {
		if got := progress.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
