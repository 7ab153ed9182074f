package timeline

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// update rewrites the golden files under testdata from the current output.
// Read every changed file before keeping it: the goldens are the
// specification of the figures.
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file\n--- got ---\n%s--- want ---\n%s", name, got, want)
	}
}

func TestWriteTextGolden(t *testing.T) {
	cases := []struct {
		name  string
		tl    Timeline
		width int
	}{
		{"blocking", blockingTimeline(), 72},
		{"waiting", waitingTimeline(), 72},
		{"async", asyncTimeline(), 72},
		{"failed", failedTimeline(), 72},
		{"single-chunk", singleChunkTimeline(), 40},
		{"huge", hugeTimeline(100_000), 60},
		{"instant", instantTimeline(), 30},
		{"zero-lane", zeroLaneTimeline(), 50},
		{"empty", Timeline{}, 20},
		{"hostile", hostileTimeline(), 40},
		{"narrow", blockingTimeline(), 6},
		{"default-width", asyncTimeline(), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteText(&b, c.tl, c.width); err != nil {
				t.Fatal(err)
			}
			checkTextShape(t, b.String(), c.tl, c.width)
			checkGolden(t, "text-"+c.name+".golden", b.Bytes())
		})
	}
}

// checkTextShape checks what every text figure must satisfy whatever the
// golden says: pure printable ASCII, one row per lane with exactly width
// cells between the borders, and only the four cell symbols in them.
func checkTextShape(t *testing.T, out string, tl Timeline, width int) {
	t.Helper()
	if width <= 0 {
		width = DefaultTextWidth
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; c != '\n' && (c < 0x20 || c > 0x7e) {
			t.Fatalf("byte %#x at %d is not printable ASCII", c, i)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	rows := 0
	for _, line := range lines[1:] {
		open := strings.Index(line, " |")
		if open < 0 || rows == len(tl.Lanes) {
			continue
		}
		cells := line[open+2:]
		end := strings.IndexByte(cells, '|')
		if end != width {
			t.Fatalf("row %q has %d cells, want %d", line, end, width)
		}
		if s := strings.Trim(cells[:end], "#- x"); s != "" {
			t.Fatalf("row %q has cells other than '#', '-', ' ', 'x': %q", line, s)
		}
		rows++
	}
	if rows != len(tl.Lanes) {
		t.Fatalf("found %d lane rows, want %d", rows, len(tl.Lanes))
	}
}

// laneCells returns the cells of lane i in a text figure.
func laneCells(t *testing.T, tl Timeline, width, i int) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, tl, width); err != nil {
		t.Fatal(err)
	}
	line := strings.Split(b.String(), "\n")[1+i]
	cells := line[strings.Index(line, " |")+2:]
	return cells[:strings.IndexByte(cells, '|')]
}

// The cell rules, on a lane simple enough to work out by hand: axis 0..1 s
// over 10 cells of 0.1 s.
func TestWriteTextCells(t *testing.T) {
	ms := time.Millisecond
	tl := Timeline{Lanes: []Lane{
		{Task: 1, Start: 200 * ms, End: 700 * ms, Chunks: []Chunk{{At: 250 * ms, Bytes: 1}, {At: 510 * ms, Bytes: 1}}},
		{Task: 2, Start: 0, End: 1000 * ms, Chunks: []Chunk{{At: 999 * ms, Bytes: 1}}},
		{Task: 3, Start: 100 * ms, End: 400 * ms, Err: "boom", Chunks: []Chunk{{At: 150 * ms, Bytes: 1}}},
	}}
	for i, want := range []string{
		"  #--#-   ", // the end at 0.7 s is the boundary of cell 7: the lane stops in cell 6
		"---------#",
		" #-x      ",
	} {
		if got := laneCells(t, tl, 10, i); got != want {
			t.Errorf("lane %d: cells %q, want %q", i+1, got, want)
		}
	}
}

// The blocking figure shows the tasks one after another: no two lanes have
// data in the same cell, and each starts where the previous one ended. The
// async figure shows them side by side.
func TestWriteTextModels(t *testing.T) {
	blocking := blockingTimeline()
	const width = 200
	busy := make([]int, width)
	for i := range blocking.Lanes {
		for c, ch := range laneCells(t, blocking, width, i) {
			if ch == '#' {
				busy[c]++
			}
		}
	}
	for c, n := range busy {
		if n > 1 {
			t.Fatalf("blocking: %d lanes have data in cell %d", n, c)
		}
	}
	async := asyncTimeline()
	for i := range async.Lanes {
		if cells := laneCells(t, async, 60, i); !strings.HasPrefix(cells, "#") {
			t.Errorf("async lane %d does not start with data: %q", i+1, cells)
		}
	}
	// With cells shorter than the delay between chunks, the figure shows
	// the waiting between them (figure 4).
	for i := range 3 {
		if cells := laneCells(t, waitingTimeline(), 72, i); !strings.Contains(cells, "#--#") {
			t.Errorf("lane %d shows no waiting between chunks: %q", i+1, cells)
		}
	}
}

func TestWriteTextWidth(t *testing.T) {
	tl := asyncTimeline()
	if got := len(laneCells(t, tl, 0, 0)); got != DefaultTextWidth {
		t.Errorf("width 0 drew %d cells, want %d", got, DefaultTextWidth)
	}
	if got := len(laneCells(t, tl, -5, 0)); got != DefaultTextWidth {
		t.Errorf("width -5 drew %d cells, want %d", got, DefaultTextWidth)
	}
	if got := len(laneCells(t, tl, 1<<30, 0)); got != MaxTextWidth {
		t.Errorf("huge width drew %d cells, want %d", got, MaxTextWidth)
	}
	for w := 1; w <= 12; w++ {
		if got := len(laneCells(t, tl, w, 0)); got != w {
			t.Errorf("width %d drew %d cells", w, got)
		}
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWritersReportErrors(t *testing.T) {
	if err := WriteText(errWriter{}, blockingTimeline(), 60); err == nil {
		t.Error("WriteText to a failing writer returned nil")
	}
	if err := WriteSVG(errWriter{}, blockingTimeline()); err == nil {
		t.Error("WriteSVG to a failing writer returned nil")
	}
}
