package progress

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"gyre/poetry"
)

// State is where a task is.
type State uint32

// The states of a task, in the order it goes through them.
const (
	Waiting    State = iota // not begun (a blocking run does one task at a time)
	Connecting              // begun, no data yet
	Receiving               // data arriving
	Done                    // the whole poem arrived
	Failed                  // it ended without the whole poem
)

func (s State) String() string {
	switch s {
	case Waiting:
		return "waiting"
	case Connecting:
		return "connecting"
	case Receiving:
		return "receiving"
	case Done:
		return "done"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("State(%d)", uint32(s))
}

// Task describes one line of the board.
type Task struct {
	Name  string // e.g. "Task 1"
	Label string // e.g. the server's address
	Total int64  // expected size in bytes; 0 if unknown
}

// Option configures a Board.
type Option func(*config)

type config struct {
	always  bool
	width   int
	refresh time.Duration
	now     func() time.Time
}

// Always draws even when w is not a terminal (escape codes and all), at
// the given width in columns (0: 80).
func Always(width int) Option {
	return func(c *config) {
		c.always = true
		c.width = width
	}
}

// WithClock makes the board read the time from now instead of time.Now
// (for rates, durations and the activity of bars of unknown size): tests
// and examples use a fixed clock to get a fixed drawing.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithRefresh sets how often the board is redrawn (default 100 ms).
func WithRefresh(d time.Duration) Option {
	return func(c *config) { c.refresh = d }
}

// barWidth is the widest a bar is drawn, in columns.
const barWidth = 20

// Board is the live view of a set of tasks. Make one with New, feed it
// with Start, Add and Finish, and call Wait once every task has finished.
type Board struct {
	p     *mpb.Progress
	lines []*line
	now   func() time.Time
}

// line is the state of one task, written by the feeding goroutine and read
// by mpb's rendering goroutines: atomics only.
type line struct {
	task   Task
	state  atomic.Uint32
	bytes  atomic.Int64
	start  atomic.Int64 // unix nanoseconds; 0 until Start
	first  atomic.Int64 // first byte
	end    atomic.Int64
	reason atomic.Pointer[string]
	bar    *mpb.Bar
}

// New starts drawing tasks on w, all waiting. w should be a terminal (an
// *os.File), unless Always is given.
func New(w io.Writer, tasks []Task, opts ...Option) *Board {
	cfg := config{refresh: 100 * time.Millisecond, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	popts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(cfg.refresh)}
	if cfg.always {
		popts = append(popts, mpb.WithAutoRefresh())
		if cfg.width <= 0 {
			cfg.width = 80
		}
		popts = append(popts, mpb.WithWidth(cfg.width))
	}
	b := &Board{p: mpb.New(popts...), now: cfg.now}
	nameW, labelW := 0, 0
	for _, t := range tasks {
		nameW = max(nameW, len(t.Name))
		labelW = max(labelW, len(t.Label))
	}
	for _, t := range tasks {
		l := &line{task: t}
		head := fmt.Sprintf("%-*s  %-*s ", nameW, t.Name, labelW, t.Label)
		l.bar = b.p.MustAdd(0, mpb.BarFillerFunc(func(w io.Writer, st decor.Statistics) error {
			_, err := io.WriteString(w, b.drawBar(l, min(st.AvailableWidth, barWidth)))
			return err
		}),
			mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return head })),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return b.tail(l) })),
		)
		b.lines = append(b.lines, l)
	}
	return b
}

// Start marks task i (from 0) as connecting.
func (b *Board) Start(i int) {
	l := b.lines[i]
	l.start.Store(b.now().UnixNano())
	l.state.Store(uint32(Connecting))
}

// Add counts n more bytes received by task i.
func (b *Board) Add(i int, n int) {
	l := b.lines[i]
	if l.first.Load() == 0 {
		l.first.Store(b.now().UnixNano())
		l.state.Store(uint32(Receiving))
	}
	l.bytes.Add(int64(n))
}

// Finish ends task i: done when reason is empty, failed with reason
// otherwise.
func (b *Board) Finish(i int, reason string) {
	l := b.lines[i]
	l.end.Store(b.now().UnixNano())
	if reason == "" {
		l.state.Store(uint32(Done))
		l.bar.SetTotal(-1, true) // complete: mpb draws it one last time
		return
	}
	l.reason.Store(&reason)
	l.state.Store(uint32(Failed))
	l.bar.Abort(false) // stays on the screen, as drawn last
}

// Wait draws the final state and returns once every task has finished
// (Finish), so the caller can print below the board. Tasks never finished
// are shown failed ("abandoned").
func (b *Board) Wait() {
	for i, l := range b.lines {
		if s := State(l.state.Load()); s != Done && s != Failed {
			b.Finish(i, "abandoned")
		}
	}
	b.p.Wait()
}

// drawBar draws the bar of l, width columns wide, brackets included.
func (b *Board) drawBar(l *line, width int) string {
	inner := width - 2
	if inner < 1 {
		return ""
	}
	cells := make([]byte, inner)
	for i := range cells {
		cells[i] = ' '
	}
	state := State(l.state.Load())
	got := l.bytes.Load()
	switch {
	case state == Done:
		fill(cells, inner, '=')
	case l.task.Total > 0:
		n := int(min(got*int64(inner)/l.task.Total, int64(inner)))
		fill(cells, n, '=')
		if n < inner && state == Receiving && n > 0 {
			cells[n-1] = '>'
		}
	case state == Receiving || state == Connecting:
		// Unknown size: a block going back and forth says it is alive.
		const block = 3
		span := max(inner-block, 1)
		tick := int(b.now().UnixMilli() / 100)
		pos := tick % (2 * span)
		if pos >= span {
			pos = 2*span - pos
		}
		c := byte('=')
		if state == Connecting {
			c = '.'
		}
		for i := pos; i < min(pos+block, inner); i++ {
			cells[i] = c
		}
	}
	return "[" + string(cells) + "]"
}

func fill(cells []byte, n int, c byte) {
	for i := 0; i < n && i < len(cells); i++ {
		cells[i] = c
	}
}

// tail is what follows the bar: bytes, rate, state.
func (b *Board) tail(l *line) string {
	state := State(l.state.Load())
	got := l.bytes.Load()
	var rate string
	if first := l.first.Load(); first != 0 {
		until := b.now().UnixNano()
		if end := l.end.Load(); end != 0 {
			until = end
		}
		if secs := float64(until-first) / 1e9; secs > 0.05 {
			rate = FormatBytes(int64(float64(got)/secs)) + "/s"
		}
	}
	status := state.String()
	switch state {
	case Done:
		status = "done in " + poetry.FormatElapsed(time.Duration(l.end.Load()-l.start.Load()))
	case Failed:
		if r := l.reason.Load(); r != nil {
			status = "failed: " + *r
		}
	}
	return fmt.Sprintf(" %9s  %11s  %s", FormatBytes(got), rate, status)
}

// FormatBytes writes a byte count the way the board shows it: exact below
// 10 KiB ("3014 B", as the tutorial counts poems), then "15.5 KiB",
// "64.0 MiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < 10*unit {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	for _, suffix := range []string{"KiB", "MiB", "GiB", "TiB"} {
		v /= unit
		if v < unit || suffix == "TiB" {
			return fmt.Sprintf("%.1f %s", v, suffix)
		}
	}
	return "" // not reached
}
