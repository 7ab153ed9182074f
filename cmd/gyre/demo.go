package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gyre/internal/fetch"
	"gyre/poetry"
	"gyre/reactor"
)

const demoLong = `demo replays the experiment of part 2 of the tutorial, with nothing to
set up: it starts three slow poetry servers on gyre's built-in poems (the
long one sending 30 bytes at a time, the two short ones 10 bytes, a
pause of --delay after each send), then downloads the three poems three
ways:

  blocking   one server after another, with blocking sockets
  async      all servers at once, from one hand-written select() loop
  reactor    all servers at once, on gyre's reactor (poetry.GetPoetry)

with a live progress line per poem (plain lines when stdout is not a
terminal), and ends with a table of the times and the speed-up of the
asynchronous clients over the blocking one: the blocking client takes the
SUM of the downloads, the others as long as the LONGEST.

The default --delay runs the whole demo in about 10 seconds; --delay 0.1
is the tutorial's pace (about 45 seconds). --timeline DIR draws each run
as the tutorial's figures: DIR/blocking.svg, DIR/async.svg,
DIR/reactor.svg.

Ctrl-C stops everything the demo started and exits with status 130 (143
after SIGTERM, 129 after SIGHUP).`

const demoExample = `  # The whole demonstration, in about 10 seconds
  gyre demo

  # At the tutorial's pace, keeping the three figures
  gyre demo --delay 0.1 --timeline figures`

// demoPoem is one of the demo's servers.
type demoPoem struct {
	name     string
	numBytes int
}

// The tutorial's scenario: one long poem sent 30 bytes at a time, two
// short ones sent 10 at a time.
var demoPoems = []demoPoem{{"library", 30}, {"night-bus", 10}, {"orchard", 10}}

// demoModes are the three runs, in order, with what each means.
var demoModes = []struct {
	mode fetch.Mode
	what string
}{
	{fetch.Blocking, "one server after another, with blocking sockets"},
	{fetch.Async, "all servers at once, from one select() loop"},
	{fetch.Reactor, "all servers at once, on gyre's reactor (poetry.GetPoetry)"},
}

func newDemoCmd() *cobra.Command {
	delay := secondsValue(20 * time.Millisecond)
	var dir string
	var progressMode = newChoice("auto", "auto", "always", "never")
	cmd := &cobra.Command{
		Use:     "demo [flags]",
		Short:   "Race the blocking, async and reactor clients against three slow servers",
		Long:    demoLong,
		Example: demoExample,
		Args:    noArguments,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkDemoTimelines(dir); err != nil {
				return err
			}
			return runDemo(cmd.Context(), time.Duration(delay), dir, progressMode.value, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.Var(&delay, "delay", "the servers' pause between sends (the tutorial's is 0.1)")
	f.StringVar(&dir, "timeline", "", "write the three runs' timelines into this directory, as SVG")
	f.Var(progressMode, "progress", "live progress lines: on a terminal only, always, or never")
	completeChoices(cmd, "progress", progressMode)
	cmd.MarkFlagDirname("timeline")
	return cmd
}

// checkDemoTimelines makes the --timeline directory and finds out now,
// not after a run, that a figure cannot be written there.
func checkDemoTimelines(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErrorf("--timeline: %s: %s", dir, errReason(err))
	}
	for _, m := range demoModes {
		if err := checkTimelineTarget(demoTimeline(dir, m.mode)); err != nil {
			return err
		}
	}
	return nil
}

// demoTimeline is the file of mode's figure in dir.
func demoTimeline(dir string, mode fetch.Mode) string {
	return filepath.Join(dir, mode.String()+".svg")
}

// runDemo starts the servers, runs each client mode against them, and
// compares the runs.
func runDemo(ctx context.Context, delay time.Duration, dir, progressMode string, stdout, stderr io.Writer) error {
	// The live board writes to stdout from a goroutine of its own, and
	// waiting for it would hang for good on a stdout nobody reads.
	//
	// A closed stdout is not refused here as gyre get --print refuses it:
	// from inside, it cannot be told from /dev/null opened for reading
	// and writing, which is how programs (Python's subprocess.DEVNULL)
	// throw away the output of one they run, and the demo's output, unlike
	// a poem, is not worth failing for.
	ctx, end := stopOnSignal(ctx, stderr)
	defer end()

	servers, err := startDemoServers(delay, stderr)
	if err != nil {
		return err
	}
	defer servers.stop()
	// The demo's text goes through report, which keeps the first write
	// error: nobody reads a demo written to a full disk or a closed pipe,
	// so it stops there and fails (it ran on, and exited 0). The progress
	// board writes to stdout itself: it must see whether that is a terminal.
	report := &firstErrWriter{w: stdout}
	printDemoServers(servers, delay, report)

	live, width, lines := progressWanted(progressMode, stdout, len(servers.addrs))
	view := &fetchView{out: stdout, report: report, errOut: stderr, live: live, liveWidth: width, liveLines: lines, lines: true}
	var runs []demoRun
	failed := false
	for _, m := range demoModes {
		if report.err != nil {
			break
		}
		r, err := runDemoMode(ctx, view, m.mode, m.what, servers, dir, report, stderr)
		if err != nil {
			return err
		}
		failed = failed || r.failed()
		runs = append(runs, r)
	}
	if report.err == nil {
		printDemoTable(runs, report)
		printDemoSummary(runs, dir, report)
	}
	if report.err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("cannot write the demo to stdout: %s", writeReason(report.err))}
	}
	if failed {
		return &exitError{code: exitFailure}
	}
	return nil
}

// demoRun is one client mode's run.
type demoRun struct {
	mode    fetch.Mode
	results []fetch.Result
	total   time.Duration
}

func (r demoRun) failed() bool {
	for _, res := range r.results {
		if res.Err != nil {
			return true
		}
	}
	return false
}

func printDemoServers(servers *demoServers, delay time.Duration, stdout io.Writer) {
	fmt.Fprintln(stdout, "Three slow poetry servers, as in part 2 of the tutorial:")
	for i, p := range demoPoems {
		fmt.Fprintf(stdout, "  %-9s %4d bytes, %d bytes every %v, on %s\n",
			p.name, servers.sizes[i], p.numBytes, delay, servers.addrs[i])
	}
}

// runDemoMode downloads the poems in one mode, prints the outcome, and
// draws the timeline into dir if there is one.
func runDemoMode(ctx context.Context, view *fetchView, mode fetch.Mode, what string, servers *demoServers, dir string, stdout, stderr io.Writer) (demoRun, error) {
	fmt.Fprintf(stdout, "\n%s: %s\n", mode, what)
	var rec *fetch.Timeline
	if dir != "" {
		rec = fetch.NewTimeline("gyre demo", mode)
	}
	results, total, err := view.run(ctx, mode, servers.addrs, servers.sizes, rec)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return demoRun{}, interruptedError(ctx)
		}
		return demoRun{}, err
	}
	got := 0
	for _, res := range results {
		if res.Err == nil {
			got++
		}
	}
	fmt.Fprintf(stdout, "Got %d poems in %s\n", got, poetry.FormatElapsed(total))
	if rec != nil {
		if err := writeTimeline(demoTimeline(dir, mode), rec.Timeline(), stderr); err != nil {
			return demoRun{}, err
		}
	}
	return demoRun{mode, results, total}, nil
}

// printDemoTable prints one row per mode, a column per poem, and the
// total.
func printDemoTable(runs []demoRun, stdout io.Writer) {
	fmt.Fprintln(stdout)
	header := fmt.Sprintf("%-9s", "")
	for _, p := range demoPoems {
		header += fmt.Sprintf("  %9s", p.name)
	}
	fmt.Fprintln(stdout, header+fmt.Sprintf("  %9s", "total"))
	for _, r := range runs {
		row := fmt.Sprintf("%-9s", r.mode)
		for _, res := range r.results {
			cell := "failed"
			if res.Err == nil {
				cell = seconds(res.Elapsed())
			}
			row += fmt.Sprintf("  %9s", cell)
		}
		fmt.Fprintln(stdout, row+fmt.Sprintf("  %9s", seconds(r.total)))
	}
}

// printDemoSummary compares the modes and lists the timelines drawn.
func printDemoSummary(runs []demoRun, dir string, stdout io.Writer) {
	blocking, async, react := runs[0].total, runs[1].total, runs[2].total
	fmt.Fprintf(stdout, "\nasync is %.2fx as fast as blocking (reactor: %.2fx): the blocking client\n"+
		"takes the sum of the downloads, the others only as long as the longest.\n",
		blocking.Seconds()/async.Seconds(), blocking.Seconds()/react.Seconds())
	if dir != "" {
		var paths []string
		for _, r := range runs {
			paths = append(paths, demoTimeline(dir, r.mode))
		}
		fmt.Fprintf(stdout, "Timelines: %s\n", strings.Join(paths, ", "))
	}
}

// seconds writes a duration as seconds with two decimals.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// demoServers are the demo's slow servers, on a reactor of their own.
type demoServers struct {
	r     *reactor.Reactor
	addrs []poetry.Address
	sizes []int64
}

func startDemoServers(delay time.Duration, stderr io.Writer) (*demoServers, error) {
	r, err := reactor.New(reactor.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	if err != nil {
		return nil, err
	}
	s := &demoServers{r: r}
	for _, p := range demoPoems {
		poem, err := poetry.Poem(p.name)
		if err != nil {
			r.Close()
			return nil, err
		}
		port, err := r.ListenTCP("127.0.0.1:0", poetry.NewSlowServerFactory(r, poem, p.numBytes, delay))
		if err != nil {
			r.Close()
			return nil, err
		}
		s.addrs = append(s.addrs, poetry.Address{Host: "127.0.0.1", Port: port.Addr().(*net.TCPAddr).Port})
		s.sizes = append(s.sizes, int64(len(poem)))
	}
	// Wait until the loop runs, so that stop can always stop it.
	running := make(chan struct{})
	r.CallWhenRunning(func() { close(running) })
	go r.Run()
	<-running
	return s, nil
}

// stop stops the servers and waits until their ports are closed.
func (s *demoServers) stop() {
	s.r.Stop()
	select {
	case <-s.r.Done():
	case <-time.After(5 * time.Second):
	}
}
