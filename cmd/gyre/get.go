package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"gyre/internal/fetch"
	"gyre/internal/timeline"
	"gyre/poetry"
)

const getLong = `get downloads a poem from each poetry server ADDR and reports what it
got, in the words of the tutorial's clients:

  Task 1: got 3014 bytes of poetry from 127.0.0.1:10000 in 0:00:01.014032
  Got 1 poems in 0:00:01.014470

An ADDR is a port (10000 means 127.0.0.1:10000), HOST:PORT, or
[IPV6]:PORT. A server that cannot be reached, resets the connection or
runs out of --timeout fails its task, with one line on stderr; the others
go on. The exit status is 0 when every poem arrived, 1 otherwise (130
when interrupted).

--mode chooses how, as in part 2 of the tutorial:
  reactor    all servers at once, on gyre's reactor (poetry.GetPoetry,
             the tutorial's client 4)
  async      all servers at once, from a hand-written select() loop
  blocking   one server after another, with blocking sockets: the total
             is the sum of the downloads

On a terminal, a live line per task shows the bytes received, the rate
and the state (--progress never turns it off; --progress always draws it
anywhere). --timeline draws the run as the tutorial's figures 1 to 4: one
lane per task, a mark per chunk received, the gaps where a task waited.

--transform cummingsify lower-cases each poem, the tutorial's client 5.1
way: one time in three it works, one time in three the poem is judged
gibberish (the task fails), one time in three the transformation breaks
and the original poem is kept. --seed makes the dice repeatable.`

const getExample = `  # One poem from a server on port 10000 of this machine
  gyre get 10000

  # Three servers, one after the other, and the figure of the run
  gyre get --mode blocking --timeline run.svg 10000 10001 10002

  # Print the poem itself, lower-cased (if the dice allow), giving up after 5 s
  gyre get --print --transform cummingsify --seed 7 --timeout 5 localhost:10000

  # The run as a text figure on stderr
  gyre get --timeline - 10000 10001`

type getConfig struct {
	mode      fetch.Mode
	timeout   time.Duration
	transform string
	seed      uint64
	print     bool
	progress  string
	timeline  string
}

func newGetCmd() *cobra.Command {
	var (
		cfg       getConfig
		mode      = newChoice("reactor", "reactor", "async", "blocking")
		timeout   secondsValue
		transform = newChoice("", "cummingsify")
		prog      = newChoice("auto", "auto", "always", "never")
	)
	cmd := &cobra.Command{
		Use:     "get [flags] ADDR...",
		Short:   "Download poems from poetry servers (reactor, async or blocking)",
		Long:    getLong,
		Example: getExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("%s needs at least one server address (PORT, HOST:PORT or [IPV6]:PORT)", cmd.Name())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			addrs, err := parseAddrs(args)
			if err != nil {
				return err
			}
			cfg.mode, _ = fetch.ParseMode(mode.value)
			cfg.timeout = time.Duration(timeout)
			cfg.transform = transform.value
			cfg.progress = prog.value
			if cmd.Flags().Changed("seed") && cfg.transform == "" {
				return usageErrorf("--seed applies only with --transform")
			}
			return runGet(cmd.Context(), cfg, addrs, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.Var(mode, "mode", "how to download: all at once on the reactor, all at once from a select() loop, or one after another")
	f.Var(&timeout, "timeout", "give up on a poem after this long, connecting included (default: never)")
	f.Var(transform, "transform", "transform each poem (the tutorial's unreliable cummingsify)")
	f.Uint64Var(&cfg.seed, "seed", 0, "with --transform: seed of the dice, for a repeatable run (default: random)")
	f.BoolVarP(&cfg.print, "print", "p", false, "print the poems (instead of a line per task)")
	f.Var(prog, "progress", "live progress lines: on a terminal only, always, or never")
	f.StringVar(&cfg.timeline, "timeline", "", "draw the run's timeline into this SVG file (- : as text on stderr)")
	completeChoices(cmd, "mode", mode)
	completeChoices(cmd, "transform", transform)
	completeChoices(cmd, "progress", prog)
	cmd.MarkFlagFilename("timeline", "svg")
	return cmd
}

// parseAddrs reads the addresses; a bad one is a usage error.
func parseAddrs(args []string) ([]poetry.Address, error) {
	addrs := make([]poetry.Address, len(args))
	for i, arg := range args {
		a, err := poetry.ParseAddress(arg)
		if err != nil {
			return nil, usageErrorf("%q is not a server address: give PORT, HOST:PORT or [IPV6]:PORT", arg)
		}
		addrs[i] = a
	}
	return addrs, nil
}

// runGet downloads the poems, reports them, and draws the timeline if
// asked: check what can be checked first, build the view, run, report.
func runGet(ctx context.Context, cfg getConfig, addrs []poetry.Address, stdout, stderr io.Writer) error {
	if err := checkTimelineTarget(cfg.timeline); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	view, rec := newGetView(cfg, stdout, stderr)
	results, elapsed, err := view.run(ctx, cfg.mode, addrs, nil, rec)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	interrupted := err != nil
	failed := transformPoems(cfg, results, stderr)
	printResults(cfg, results, failed, elapsed, stdout)
	if rec != nil {
		if err := writeTimeline(cfg.timeline, rec.Timeline(), stderr); err != nil {
			return err
		}
	}
	return getExitStatus(interrupted, failed)
}

// checkTimelineTarget finds out now, not after the downloads, that the
// --timeline file cannot be written.
func checkTimelineTarget(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if err := checkWritable(path); err != nil {
		return usageErrorf("--timeline: %v", err)
	}
	return nil
}

// newGetView builds the progress view of a run, and its timeline recorder
// when --timeline asks for one (nil otherwise).
func newGetView(cfg getConfig, stdout, stderr io.Writer) (*fetchView, *fetch.Timeline) {
	live, width := progressWanted(cfg.progress, stdout)
	view := &fetchView{out: stdout, errOut: stderr, live: live, liveWidth: width, lines: !cfg.print, timeout: cfg.timeout}
	var rec *fetch.Timeline
	if cfg.timeline != "" {
		rec = fetch.NewTimeline("gyre get", cfg.mode)
	}
	return view, rec
}

// transformPoems applies --transform to the poems that arrived and returns
// how many tasks failed, downloads and transformations together.
func transformPoems(cfg getConfig, results []fetch.Result, stderr io.Writer) int {
	failed := 0
	var rng *rand.Rand
	if cfg.seed != 0 {
		rng = rand.New(rand.NewPCG(cfg.seed, cfg.seed))
	}
	for i := range results {
		res := &results[i]
		if res.Err != nil {
			failed++
			continue
		}
		if cfg.transform != "cummingsify" {
			continue
		}
		poem, err := cummingsify(string(res.Poem), rng)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "Task %d: the poem from %s was judged gibberish (%v)\n", res.Task, res.Addr, err)
			res.Err = err
			failed++
		case poem == "":
			fmt.Fprintf(stderr, "Task %d: cummingsify failed; keeping the poem from %s as it was\n", res.Task, res.Addr)
		default:
			res.Poem = []byte(poem)
		}
	}
	return failed
}

// printResults prints the poems (--print) or the summary line.
func printResults(cfg getConfig, results []fetch.Result, failed int, elapsed time.Duration, stdout io.Writer) {
	if !cfg.print {
		fmt.Fprintf(stdout, "Got %d poems in %s\n", len(results)-failed, poetry.FormatElapsed(elapsed))
		return
	}
	for _, res := range results {
		if res.Err == nil {
			stdout.Write(res.Poem)
			if len(res.Poem) > 0 && res.Poem[len(res.Poem)-1] != '\n' {
				fmt.Fprintln(stdout)
			}
		}
	}
}

// getExitStatus is 130 after an interruption, 1 if a task failed.
func getExitStatus(interrupted bool, failed int) error {
	switch {
	case interrupted:
		return &exitError{code: 130, err: errors.New("interrupted")}
	case failed > 0:
		return &exitError{code: exitFailure}
	}
	return nil
}

// cummingsify is client 5.1's use of poetry.Cummingsify: a *ValueError
// (the function's bug) means "keep the original", returned as "" with no
// error; a *GibberishError fails the poem.
func cummingsify(poem string, rng *rand.Rand) (string, error) {
	out, err := poetry.Cummingsify(poem, rng)
	var ve *poetry.ValueError
	if errors.As(err, &ve) {
		return "", nil
	}
	return out, err
}

// checkWritable makes sure path can be created (or overwritten), without
// leaving a file behind if it did not exist.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s: %s", path, errReason(err))
		}
		return f.Close()
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: no such directory", dir)
	}
	return nil
}

// writeTimeline writes the figure: SVG into path, or text on stderr when
// path is "-".
func writeTimeline(path string, tl timeline.Timeline, stderr io.Writer) error {
	if path == "-" {
		return timeline.WriteText(stderr, tl, 0)
	}
	var buf strings.Builder
	if err := timeline.WriteSVG(&buf, tl); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
		return fmt.Errorf("--timeline: %s: %s", path, errReason(err))
	}
	return nil
}
