package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"gyre/internal/fetch"
	"gyre/internal/progress"
	"gyre/poetry"
)

// fetchView runs downloads and shows them, for gyre get and gyre demo: a
// live board on a terminal, or one line per task as it finishes, in the
// tutorial's words ("Task 1: got 3014 bytes of poetry from ... in ...").
type fetchView struct {
	out, errOut io.Writer
	report      io.Writer // where the per-task lines go: stdout behind a firstErrWriter, which keeps their errors
	live        bool      // draw a progress board on out (out itself: the board looks for a terminal)
	liveWidth   int       // > 0: the board is forced onto a non-terminal, this wide
	liveLines   int       // > 0: the board draws at most this many lines (progress.WithMaxLines)
	lines       bool      // print the per-task lines
	timeout     time.Duration
	maxBytes    int64          // longest poem accepted (fetch.WithMaxBytes; 0: no bound)
	observe     fetch.Observer // another observer of the run, if any
	discard     bool           // keep no poem in the results (fetch.WithoutPoems)
	tls         *tls.Config    // for tls: endpoints (nil: each endpoint's own)
}

// progressWanted decides whether to draw the live board of tasks lines on
// out, from the --progress flag: auto draws on a terminal only, and only
// one tall enough for the board (a terminal that says it has fewer rows,
// or none, as a pseudo-terminal whose size was never set does, would lose
// the lines that do not fit: plain lines then). always draws anyway, in
// lines lines at most (0: no bound), less than the terminal's rows: more
// tasks than fit are shown as a window and a line that counts them all
// (progress.WithMaxLines), where a board taller than the terminal mangled
// the screen; off a terminal, 80 columns wide (and so 80 lines at most).
// Only a terminal with too few rows for even a window (one that says it
// has none) gets the plain lines from always.
func progressWanted(mode string, out io.Writer, tasks int) (live bool, width, lines int) {
	switch mode {
	case "always":
		if !isTerminal(out) {
			return true, 80, 0
		}
		if rows := terminalRows(out); rows > tasks {
			return true, 0, 0
		} else if rows >= 3 {
			return true, 0, rows - 1
		}
		return false, 0, 0
	case "never":
		return false, 0, 0
	}
	return isTerminal(out) && terminalRows(out) > tasks, 0, 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalRows is the height of the terminal w (0 if it does not say).
func terminalRows(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	_, rows, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return rows
}

// run downloads from addrs in mode. totals, if given, are the expected
// sizes (for full bars); rec, if given, records the timeline. It returns
// the results and the wall time of the whole run.
func (v *fetchView) run(ctx context.Context, mode fetch.Mode, addrs []poetry.Address, totals []int64, rec *fetch.Timeline) ([]fetch.Result, time.Duration, error) {
	var board *progress.Board
	var observers []fetch.Observer
	if rec != nil {
		observers = append(observers, rec.Observe)
	}
	if v.observe != nil {
		observers = append(observers, v.observe)
	}
	if v.live {
		tasks := make([]progress.Task, len(addrs))
		for i, a := range addrs {
			tasks[i] = progress.Task{Name: fmt.Sprintf("Task %d", i+1), Label: a.String()}
			if i < len(totals) {
				tasks[i].Total = totals[i]
			}
		}
		var opts []progress.Option
		if v.liveWidth > 0 {
			opts = append(opts, progress.Always(v.liveWidth))
		}
		if v.liveLines > 0 {
			opts = append(opts, progress.WithMaxLines(v.liveLines))
		}
		board = progress.New(v.out, tasks, opts...)
		observers = append(observers, func(ev fetch.Event) {
			i := ev.Task - 1
			switch ev.Kind {
			case fetch.Started:
				board.Start(i)
			case fetch.Received:
				board.Add(i, ev.Bytes)
			case fetch.Finished:
				board.Finish(i, fetch.Reason(ev.Err))
			}
		})
	} else {
		// Plain output: each task's line when it finishes.
		got := make([]int, len(addrs))
		began := make([]time.Time, len(addrs))
		observers = append(observers, func(ev fetch.Event) {
			i := ev.Task - 1
			switch ev.Kind {
			case fetch.Started:
				began[i] = ev.At
			case fetch.Received:
				got[i] += ev.Bytes
			case fetch.Finished:
				v.taskLine(ev.Task, ev.Addr, ev.Err, got[i], ev.At.Sub(began[i]))
			}
		})
	}
	var opts []fetch.Option
	opts = append(opts, fetch.WithObserver(fetch.Observers(observers...)))
	if v.tls != nil {
		opts = append(opts, fetch.WithTLSConfig(v.tls))
	}
	if v.timeout > 0 {
		opts = append(opts, fetch.WithTimeout(v.timeout))
	}
	if v.maxBytes > 0 {
		opts = append(opts, fetch.WithMaxBytes(v.maxBytes))
	}
	if v.discard {
		opts = append(opts, fetch.WithoutPoems())
	}
	start := time.Now()
	results, err := fetch.Fetch(ctx, mode, addrs, opts...)
	elapsed := time.Since(start)
	if board != nil {
		board.Wait()
		// The board has shown each task's outcome; the failures also go
		// to stderr, as without it, now that the drawing is over.
		for _, res := range results {
			if res.Err != nil {
				v.taskLine(res.Task, res.Addr, res.Err, 0, 0)
			}
		}
	}
	return results, elapsed, err
}

// taskLine prints the outcome of one task: the tutorial's line on out
// (unless lines is off), or the failure on errOut. An interrupted task
// says nothing: the interrupt is reported once, by the command.
func (v *fetchView) taskLine(task int, addr poetry.Address, err error, bytes int, took time.Duration) {
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintf(v.errOut, "Task %d: failed to get poetry from %s: %s\n", task, addr, fetch.Reason(err))
		}
		return
	}
	if !v.lines {
		return
	}
	fmt.Fprintf(v.report, "Task %d: got %d bytes of poetry from %s in %s\n", task, bytes, addr, poetry.FormatElapsed(took))
}
