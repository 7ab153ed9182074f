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
	always   bool
	width    int
	maxLines int
	refresh  time.Duration
	now      func() time.Time
}

// Always draws even when w is not a terminal (escape codes and all), at
// the given width in columns (0: 80). Off a terminal the board then draws
// at most that many lines (mpb takes the width for the height there), so
// more tasks than that are shown as with WithMaxLines(width).
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

// WithMaxLines bounds the board to n lines (at least 2), for a terminal of
// n+1 rows: a board as tall as the terminal, or taller, scrolls it, and
// the redraw, which moves the cursor up over the lines it drew, can no
// longer reach the lines scrolled away, leaving a mangled screen. When the
// tasks outnumber the lines, n-1 lines show a window of them and the last
// counts them all ("100 tasks: 37 done, 1 failed, 12 under way, 50
// waiting"). The window starts with the first tasks; a task that begins
// takes the line of one that has ended (the longest ended first), or, if
// every line shows a task under way, the first line to be freed by one
// that ends: the window shows tasks under way whenever there are some.
// n of 0 means no bound.
func WithMaxLines(n int) Option {
	return func(c *config) { c.maxLines = n }
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

	// The window, when the tasks outnumber the lines (WithMaxLines):
	// slots are the lines of tasks, summary the line that counts them.
	// Both nil otherwise: then each task has a line of its own.
	slots   []*slot
	summary *mpb.Bar
	offList []int // tasks begun with no line free, in order (feeding goroutine only)
}

// slot is one line of the window: it shows the task whose index it
// holds (every line shows one). Only the feeding goroutine changes it.
type slot struct {
	task atomic.Int32
	bar  *mpb.Bar
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
	head   string   // the name and label, padded
	bar    *mpb.Bar // its own bar, if it has one (not in a window)
	slot   int      // in a window: the index of its line, plus one (0: none; feeding goroutine only)
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
	if cfg.always && (cfg.maxLines <= 0 || cfg.maxLines > cfg.width) {
		cfg.maxLines = cfg.width
	}
	b := &Board{p: mpb.New(popts...), now: cfg.now}
	nameW, labelW := 0, 0
	for _, t := range tasks {
		nameW = max(nameW, len(t.Name))
		labelW = max(labelW, len(t.Label))
	}
	for _, t := range tasks {
		b.lines = append(b.lines, &line{task: t, head: fmt.Sprintf("%-*s  %-*s ", nameW, t.Name, labelW, t.Label)})
	}
	if cfg.maxLines <= 0 || len(tasks) <= cfg.maxLines {
		for _, l := range b.lines {
			l.bar = b.addLine(func() *line { return l })
		}
		return b
	}
	b.slots = make([]*slot, max(cfg.maxLines, 2)-1)
	for k := range b.slots {
		s := &slot{}
		s.task.Store(int32(k)) // the first tasks, waiting
		b.lines[k].slot = k + 1
		s.bar = b.addLine(func() *line { return b.lines[s.task.Load()] })
		b.slots[k] = s
	}
	b.summary = b.p.MustAdd(0, mpb.BarFillerFunc(func(io.Writer, decor.Statistics) error { return nil }),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return b.counts() })))
	return b
}

// addLine adds a line to the board that draws the task shown returns, at
// each redraw.
func (b *Board) addLine(shown func() *line) *mpb.Bar {
	return b.p.MustAdd(0, mpb.BarFillerFunc(func(w io.Writer, st decor.Statistics) error {
		_, err := io.WriteString(w, b.drawBar(shown(), min(st.AvailableWidth, barWidth)))
		return err
	}),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return shown().head })),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return b.tail(shown()) })),
	)
}

// counts is the window's last line: how many tasks are in each state.
// It reads every task's state, a few atomic loads each, at each redraw.
func (b *Board) counts() string {
	var n [Failed + 1]int
	for _, l := range b.lines {
		n[State(l.state.Load())]++
	}
	return fmt.Sprintf("%d tasks: %d done, %d failed, %d under way, %d waiting",
		len(b.lines), n[Done], n[Failed], n[Connecting]+n[Receiving], n[Waiting])
}

// show gives task i, which has begun, a line of the window if it has
// none: that of the task that ended first. With none ended (every line
// shows a task waiting or under way) it waits in offList for the next line
// that a task ending frees (free).
func (b *Board) show(i int) {
	if b.lines[i].slot != 0 {
		return
	}
	best, bestEnd := -1, int64(0)
	for k, s := range b.slots {
		l := b.lines[s.task.Load()]
		if State(l.state.Load()) < Done {
			continue
		}
		if end := l.end.Load(); best < 0 || end < bestEnd {
			best, bestEnd = k, end
		}
	}
	if best < 0 {
		b.offList = append(b.offList, i)
		return
	}
	b.moveTo(best, i)
}

// free hands the line of task i, which has ended, to the first task of
// offList still under way, if there is one; otherwise the line goes on
// showing how task i ended.
func (b *Board) free(i int) {
	k := b.lines[i].slot - 1
	if k < 0 {
		return
	}
	for len(b.offList) > 0 {
		j := b.offList[0]
		b.offList = b.offList[1:]
		if State(b.lines[j].state.Load()) < Done {
			b.moveTo(k, j)
			return
		}
	}
}

// moveTo shows task i on line k of the window.
func (b *Board) moveTo(k, i int) {
	s := b.slots[k]
	b.lines[s.task.Load()].slot = 0
	b.lines[i].slot = k + 1
	s.task.Store(int32(i))
}

// Start marks task i (from 0) as connecting.
func (b *Board) Start(i int) {
	l := b.lines[i]
	l.start.Store(b.now().UnixNano())
	l.state.Store(uint32(Connecting))
	if b.slots != nil {
		b.show(i)
	}
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
		if l.bar != nil {
			l.bar.SetTotal(-1, true) // complete: mpb draws it one last time
		}
	} else {
		l.reason.Store(&reason)
		l.state.Store(uint32(Failed))
		if l.bar != nil {
			l.bar.Abort(false) // stays on the screen, as drawn last
		}
	}
	if b.slots != nil {
		b.free(i)
	}
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
	// The window's lines show whichever task they hold: they end only
	// now, all at once, so that the last frame draws the final counts.
	for _, s := range b.slots {
		s.bar.SetTotal(-1, true)
	}
	if b.summary != nil {
		b.summary.SetTotal(-1, true)
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
