package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"gyre/internal/fetch"
	"gyre/internal/timeline"
	"gyre/poetry"
	"gyre/reactor"
)

const getLong = `get downloads a poem from each poetry server ADDR and reports what it
got, in the words of the tutorial's clients:

  Task 1: got 3014 bytes of poetry from 127.0.0.1:10000 in 0:00:01.014032
  Got 1 poems in 0:00:01.014470

An ADDR is a port (10000 means 127.0.0.1:10000), HOST:PORT, or [IPV6]:PORT,
or a client endpoint (with the reactor mode): tcp:host=H:port=P,
unix:path=/run/gyre.sock, tls:host=H:port=P[:caCerts=FILE] (--ca FILE
trusts the authorities in FILE, --insecure checks nothing, for every tls:
endpoint; neither goes with an endpoint's own caCerts=; the FILE must be a
regular file, not a pipe). A server that
cannot be reached, resets the connection or runs out of --timeout fails its
task, with one line on stderr; the others go on. The exit status is 0 when
every poem arrived, 1 otherwise (130 when interrupted, 143 after SIGTERM,
129 after SIGHUP); 2 for a mistake on the command line. Output that could
not be written (a full disk) is status 1 and its line even after a signal,
unless the signal caused it (a reader stopped by the same Ctrl-C, a
terminal that hung up). A poem cut short by a signal is never printed.

--mode chooses how, as in part 2 of the tutorial:
  reactor    all servers at once, on gyre's reactor (poetry.GetPoetry,
             the tutorial's client 4)
  async      all servers at once, from a hand-written select() loop
  blocking   one server after another, with blocking sockets: the total
             is the sum of the downloads

On a terminal, a live line per task shows the bytes received, the rate and
the state (--progress never turns it off; --progress always draws it
anywhere). More tasks than the terminal has rows get plain lines instead,
or with --progress always a window of the tasks under way and a line that
counts them all. With --print, stdout holds the poems alone: the lines are
drawn only with --progress always, on stderr. --timeline draws the run as
the tutorial's figures 1 to 4: one lane per task, a mark per chunk
received, the gaps where a task waited.

--transform cummingsify lower-cases each poem, the tutorial's client 5.1
way: one time in three it works, one time in three the poem is judged
gibberish (the task fails), one time in three the transformation breaks
and the original poem is kept. --seed makes the dice repeatable.

--max-bytes bounds each poem (1 GiB unless told otherwise): a server that
sends more fails its task, which keeps the memory of --print and
--transform bounded however long a server goes on. A poem held takes
about its size (with --transform, twice: the poem and its transformed
copy).`

const getExample = `  # One poem from a server on port 10000 of this machine
  gyre get 10000

  # Three servers, one after the other, and the figure of the run
  gyre get --mode blocking --timeline run.svg 10000 10001 10002

  # Print the poem itself, lower-cased (if the dice allow), giving up after 5 s
  gyre get --print --transform cummingsify --seed 7 --timeout 5 localhost:10000

  # Over TLS and over a Unix socket
  gyre get --ca ca.pem tls:host=127.0.0.1:port=10443 unix:path=/run/gyre.sock

  # The run as a text figure on stderr
  gyre get --timeline - 10000 10001`

// defaultMaxBytes is --max-bytes unless told otherwise: far above any poem,
// and a bound on what --print (into a pipe) and --transform hold of each
// one, should a server never stop sending.
const defaultMaxBytes = 1 << 30

type getConfig struct {
	mode      fetch.Mode
	timeout   time.Duration
	maxBytes  int64 // --max-bytes
	transform string
	seed      uint64
	seeded    bool // --seed was given (0 is a seed like any other)
	print     bool
	progress  string
	timeline  string
	ca        string // --ca: PEM file of the authorities for tls: endpoints
	insecure  bool   // --insecure: no certificate check
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
			if err := checkEndpoints(cfg, addrs); err != nil {
				return err
			}
			cfg.timeout = time.Duration(timeout)
			if cfg.maxBytes < 0 {
				return usageErrorf("--max-bytes must be 0 (no limit) or more, not %d", cfg.maxBytes)
			}
			cfg.transform = transform.value
			cfg.progress = prog.value
			cfg.seeded = cmd.Flags().Changed("seed")
			if cfg.seeded && cfg.transform == "" {
				return usageErrorf("--seed applies only with --transform")
			}
			return runGet(cmd.Context(), cfg, addrs, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return flagError(negativePort(err))
	})
	f := cmd.Flags()
	f.SortFlags = false
	f.Var(mode, "mode", "how to download: all at once on the reactor, all at once from a select() loop, or one after another")
	f.Var(&timeout, "timeout", "give up on a poem after this long, connecting included (default: never)")
	f.Lookup("timeout").DefValue = "0" // a zero pflag shows no "(default 0s)" after "(default: never)"
	intVar(f, &cfg.maxBytes, "max-bytes", defaultMaxBytes, 0, "longest poem accepted, in bytes: a server that sends more fails its task (0: no limit)")
	f.Var(transform, "transform", "transform each poem (the tutorial's unreliable cummingsify)")
	intVar(f, &cfg.seed, "seed", 0, 0, "with --transform: seed of the dice, for a repeatable run (default: random)")
	f.BoolVarP(&cfg.print, "print", "p", false, "print the poems (instead of a line per task)")
	f.Var(prog, "progress", "live progress lines: on a terminal only, always, or never (with --print: always only, on stderr)")
	f.StringVar(&cfg.timeline, "timeline", "", "draw the run's timeline into this SVG file (- : as text on stderr)")
	f.StringVar(&cfg.ca, "ca", "", "tls: endpoints: PEM file (a regular file, not a pipe) of the certificate authorities to trust (default: the system's)")
	f.BoolVar(&cfg.insecure, "insecure", false, "tls: endpoints: do not check the server's certificate")
	completeChoices(cmd, "mode", mode)
	completeChoices(cmd, "transform", transform)
	completeChoices(cmd, "progress", prog)
	cmd.MarkFlagFilename("timeline", "svg")
	return cmd
}

// endpointPrefixes mark an argument of gyre get as a client endpoint
// rather than HOST:PORT.
var endpointPrefixes = []string{"tcp:", "unix:", "tls:", "ssl:"}

func isEndpoint(arg string) bool {
	for _, p := range endpointPrefixes {
		if strings.HasPrefix(strings.ToLower(arg), p) {
			return true
		}
	}
	return false
}

// checkEndpoints checks what only endpoints allow: the reactor mode, and
// --ca/--insecure with a tls: endpoint.
func checkEndpoints(cfg getConfig, addrs []poetry.Address) error {
	tlsSeen := false
	for _, a := range addrs {
		if a.Endpoint == "" {
			continue
		}
		if cfg.mode != fetch.Reactor {
			return usageErrorf("%s: endpoints are fetched with --mode reactor only", a.Endpoint)
		}
		e, _ := reactor.ParseClientEndpoint(a.Endpoint)
		if e.Type != "tls" {
			continue
		}
		tlsSeen = true
		// One trust per endpoint: --ca or --insecure would replace the
		// endpoint's own caCerts without a word.
		if e.CACerts != "" && (cfg.ca != "" || cfg.insecure) {
			return usageErrorf("%s: caCerts= and --ca/--insecure exclude each other", a.Endpoint)
		}
	}
	if (cfg.ca != "" || cfg.insecure) && !tlsSeen {
		return usageErrorf("--ca and --insecure apply to tls: endpoints only")
	}
	if cfg.ca != "" && cfg.insecure {
		return usageErrorf("--ca and --insecure exclude each other")
	}
	return nil
}

// tlsConfig is the configuration --ca and --insecure ask for (nil: each
// endpoint's own, the system's roots unless it names caCerts).
func (cfg getConfig) tlsConfig() (*tls.Config, error) {
	switch {
	case cfg.insecure:
		return &tls.Config{InsecureSkipVerify: true}, nil
	case cfg.ca != "":
		pool, err := reactor.LoadCertPool(cfg.ca)
		if err != nil {
			return nil, usageErrorf("--ca: %v", err)
		}
		return &tls.Config{RootCAs: pool}, nil
	}
	return nil, nil
}

// parseAddrs reads the addresses; a bad one is a usage error.
func parseAddrs(args []string) ([]poetry.Address, error) {
	addrs := make([]poetry.Address, len(args))
	for i, arg := range args {
		if isEndpoint(arg) {
			if _, err := reactor.ParseClientEndpoint(arg); err != nil {
				return nil, usageErrorf("%v", err)
			}
			addrs[i] = poetry.Address{Endpoint: arg}
			continue
		}
		a, err := poetry.ParseAddress(arg)
		if err != nil {
			if port, ok := numericPort(arg); ok {
				return nil, usageErrorf("%q is not a server address: port %s is out of range (1-65535)", arg, port)
			}
			return nil, usageErrorf("%q is not a server address: give PORT, HOST:PORT or [IPV6]:PORT", arg)
		}
		addrs[i] = a
	}
	return addrs, nil
}

// numericPort returns the port part of an address argument (after its
// last colon, or the whole argument) if it is a number out of the ports'
// range, which is then why the address was refused.
func numericPort(arg string) (string, bool) {
	port := arg[strings.LastIndex(arg, ":")+1:]
	if port == "" || strings.Trim(port, "0123456789") != "" {
		return "", false
	}
	n, err := strconv.ParseUint(port, 10, 64)
	return port, err != nil || n < 1 || n > 65535
}

// runGet downloads the poems, reports them, and draws the timeline if
// asked: check what can be checked first, build the view, run, report.
func runGet(ctx context.Context, cfg getConfig, addrs []poetry.Address, stdout, stderr io.Writer) error {
	if err := checkTimelineTarget(cfg.timeline); err != nil {
		return err
	}
	if cfg.print && cfg.progress == "always" && isTerminal(stdout) && isTerminal(stderr) {
		return usageErrorf("--progress always with --print draws on stderr, the terminal the poems go to, and would erase their lines: redirect stdout or stderr")
	}
	if cfg.print {
		if err := checkOpen(stdout, "the poems"); err != nil {
			return err
		}
	}
	tlsCfg, err := cfg.tlsConfig()
	if err != nil {
		return err
	}
	ctx, end := stopOnSignal(ctx, stderr)
	defer end()

	// The report's lines go through report, which keeps the first write
	// error: a report nobody could read is a failure. (The progress board
	// writes to stdout itself: it must see whether that is a terminal.)
	report := &firstErrWriter{w: stdout}
	view, printer, rec := newGetView(cfg, len(addrs), stdout, report, stderr)
	view.tls = tlsCfg
	results, elapsed, err := view.run(ctx, cfg.mode, addrs, nil, rec)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	var interrupted error
	if err != nil {
		interrupted = interruptedError(ctx)
	}
	failed, poems := transformPoems(cfg, results, stderr)
	printErr := printResults(cfg, printer, results, poems, failed, elapsed, stdout, report)
	if printErr == nil && report.err != nil {
		printErr = &exitError{code: exitFailure, err: fmt.Errorf("cannot write the report to stdout: %w", writeCause(report.err))}
	}
	var timelineErr error
	if rec != nil {
		timelineErr = writeTimeline(cfg.timeline, rec.Timeline(), stderr)
	}
	return getExitStatus(interrupted, failed, timelineErr, printErr)
}

// firstErrWriter writes to w and keeps the first error (writes after it
// are dropped).
type firstErrWriter struct {
	w   io.Writer
	err error
}

func (f *firstErrWriter) Write(b []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(b)
	f.err = err
	return n, err
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
	if closedStream(path) {
		return &exitError{code: exitFailure, err: fmt.Errorf("cannot write the timeline to %s: it is closed", path)}
	}
	return nil
}

// closedStream reports whether path names gyre's descriptor 1 or 2
// (/dev/stdout, /dev/fd/2, /proc/self/fd/1) while that stream was closed
// when gyre started (closedOutput): the /dev/null Go's runtime put in its
// place would take the figure without a word, where --print is refused.
// /dev/null named as such, or a stream redirected to it, is what it says.
func closedStream(path string) bool {
	switch n, ok := descriptorNamed(path); {
	case !ok:
		return false
	case n == 1:
		return closedOutput(os.Stdout)
	case n == 2:
		return closedOutput(os.Stderr)
	}
	return false
}

// descriptorNamed is the number of the descriptor of gyre's that path
// names through /proc/self/fd (directly, through /dev/fd, or through a
// link such as /dev/stdout), if it does. The last hop, from the fd
// directory to the file, is not followed: it would lead to /dev/null.
func descriptorNamed(path string) (int, bool) {
	self, _ := filepath.EvalSymlinks("/proc/self")
	for range 8 { // a bound on the links followed
		dir, err := filepath.EvalSymlinks(filepath.Dir(path))
		if err == nil && self != "" && dir == filepath.Join(self, "fd") {
			n, err := strconv.Atoi(filepath.Base(path))
			return n, err == nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return 0, false
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return 0, false
}

// newGetView builds the progress view of a run of n downloads, the
// printer that streams the poems out as they come (--print without
// --transform; nil otherwise), and the timeline recorder when --timeline
// asks for one (nil otherwise).
func newGetView(cfg getConfig, n int, stdout, report, stderr io.Writer) (*fetchView, *poemPrinter, *fetch.Timeline) {
	// --print promises the poems byte for byte on stdout: the board, drawn
	// only when asked for, goes to stderr.
	boardOut := stdout
	if cfg.print {
		boardOut = stderr
	}
	live, width, lines := progressWanted(cfg.progress, boardOut, n)
	if cfg.print && cfg.progress != "always" {
		live = false
	}
	view := &fetchView{out: boardOut, report: report, errOut: stderr, live: live, liveWidth: width, liveLines: lines, lines: !cfg.print, timeout: cfg.timeout, maxBytes: cfg.maxBytes}
	// The poems are kept only for --transform, which needs them whole;
	// --print writes them out as they come (poemPrinter), and the task
	// lines need only the counts.
	var printer *poemPrinter
	if cfg.transform == "" {
		view.discard = true
		if cfg.print {
			printer = newPoemPrinter(stdout, stderr, n)
			view.observe = printer.observe
		}
	}
	var rec *fetch.Timeline
	if cfg.timeline != "" {
		rec = fetch.NewTimeline("gyre get", cfg.mode)
	}
	return view, printer, rec
}

// collectAfter is the size of a poem past which transformPoems runs the
// collector between putting it in one piece and transforming it.
const collectAfter = 16 << 20

// transformPoems applies --transform to the poems that arrived and returns
// how many tasks failed, downloads and transformations together, and the
// poems as they are to be printed (for each task that did not fail). Each
// poem is put in one piece for the transformation, and the blocks it
// arrived in are let go: the transformed copy comes on top of the poem
// (unless it is the same), never more.
func transformPoems(cfg getConfig, results []fetch.Result, stderr io.Writer) (failed int, poems []string) {
	var rng *rand.Rand
	if cfg.seeded {
		rng = rand.New(rand.NewPCG(cfg.seed, cfg.seed))
	}
	if cfg.transform != "" {
		poems = make([]string, len(results))
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
		poem := res.Poem.String()
		res.Poem.Reset()
		if len(poem) >= collectAfter {
			// The blocks are garbage now: give their memory back before
			// the transformed copy is made, which would not fit in their
			// scattered pages, or the process holds both and the copy.
			debug.FreeOSMemory()
		}
		out, err := cummingsify(poem, rng)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "Task %d: the poem from %s was judged gibberish (%v)\n", res.Task, res.Addr, err)
			res.Err = err
			failed++
		case out == "":
			fmt.Fprintf(stderr, "Task %d: cummingsify failed; keeping the poem from %s as it was\n", res.Task, res.Addr)
			poems[i] = poem
		default:
			poems[i] = out
		}
	}
	return failed, poems
}

// printResults finishes --print (the streaming printer's outcome, or the
// transformed poems, each byte for byte) or prints the summary line. It
// returns the error of writing the poems out.
func printResults(cfg getConfig, printer *poemPrinter, results []fetch.Result, poems []string, failed int, elapsed time.Duration, stdout, report io.Writer) error {
	switch {
	case printer != nil:
		return printer.result()
	case cfg.print:
		p := newPoemPrinter(stdout, nil, 0)
		for i, res := range results {
			if res.Err == nil {
				p.writeFrom(strings.NewReader(poems[i]))
			}
		}
		return p.result()
	}
	fmt.Fprintf(report, "Got %d poems in %s\n", len(results)-failed, poetry.FormatElapsed(elapsed))
	return nil
}

// getExitStatus is the one rule of gyre get's status, given the
// interruption (interruptedError, or nil), the number of failed tasks and
// the errors of writing out the timeline, the poems and the report (nil
// when written), the first of them first:
//
//   - a write error the signal did not cause is said (its one line, status
//     1), even after an interruption: a poem lost to a full disk before
//     the Ctrl-C must not go unsaid;
//   - then the interruption, with its signal's status: it wins over the
//     write errors a signal causes (causedBySignal: EPIPE from a pipe's
//     reader stopped by the same Ctrl-C, EIO or ENXIO from a terminal that
//     hung up), so the status promised for a terminal that went away (129)
//     is what a caller sees;
//   - then any write error (without a signal, EPIPE and EIO are failures
//     like the others), status 1;
//   - then 1 if a task failed.
func getExitStatus(interrupted error, failed int, writeErrs ...error) error {
	for _, err := range writeErrs {
		if err != nil && interrupted != nil && !causedBySignal(err) {
			return err
		}
	}
	if interrupted != nil {
		return interrupted
	}
	for _, err := range writeErrs {
		if err != nil {
			return err
		}
	}
	if failed > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// causedBySignal reports whether a write error is one that a stop signal
// brings about: EPIPE (the reader of a pipe, in the same process group,
// stopped by the same Ctrl-C) or EIO and ENXIO (the terminal hung up).
func causedBySignal(err error) bool {
	return errors.Is(err, unix.EPIPE) || errors.Is(err, unix.EIO) || errors.Is(err, unix.ENXIO)
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
// leaving a file behind if it did not exist. A path that is not a regular
// file is checked by checkSpecial.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		if stdStream(path) != nil {
			return nil // written through gyre's own descriptor
		}
		if !fi.Mode().IsRegular() {
			return checkSpecial(path, fi.Mode())
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
	// Whether a file can be created there is known only by trying
	// (permissions, a read-only or special file system).
	f, err := os.CreateTemp(dir, ".gyre-timeline-*")
	if err != nil {
		return fmt.Errorf("%s: cannot create a file in %s: %s", path, dir, errReason(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// checkSpecial makes sure an existing target that is not a regular file
// can be written. A FIFO is never opened before the figure is: its open
// waits for a reader, and the close after it would end the reader's input
// before the figure came; its permission is all that can be known. A
// socket cannot be opened at all. A character device (/dev/tty, a
// terminal) is opened without becoming the controlling terminal, as its
// write will (writeDevice), and without blocking (a device's open may
// wait, for a modem line say): a permission says nothing of /dev/tty in a
// process that has no terminal.
func checkSpecial(path string, mode os.FileMode) error {
	switch {
	case mode&os.ModeSocket != 0:
		return fmt.Errorf("%s is a socket, which cannot be opened as a file", path)
	case mode&os.ModeCharDevice != 0:
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("%s: %s", path, errReason(err))
		}
		return unix.Close(fd)
	}
	if err := unix.Access(path, unix.W_OK); err != nil {
		return fmt.Errorf("%s: %s", path, errReason(err))
	}
	return nil
}

// negativeArg finds the argument of cobra's "unknown shorthand flag: '1'
// in -1".
var negativeArg = regexp.MustCompile(`^unknown shorthand flag: '\d' in (-\d+)$`)

// negativePort turns the flag error of a negative number, which the flag
// parser takes for a flag, into what it is: a port out of range.
func negativePort(err error) error {
	if m := negativeArg.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("%q is not a server address: port %s is out of range (1-65535)", m[1], m[1])
	}
	return err
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
	var err error
	if std := stdStream(path); std != nil {
		_, err = io.WriteString(std, buf.String())
	} else if fi, serr := os.Stat(path); serr == nil && fi.Mode()&os.ModeCharDevice != 0 {
		err = writeDevice(path, buf.String())
	} else {
		err = os.WriteFile(path, []byte(buf.String()), 0o644)
	}
	if err != nil {
		return fmt.Errorf("--timeline: %s: %w", path, writeCause(err))
	}
	return nil
}

// writeDevice writes the figure to a character device (/dev/tty, a
// terminal) with O_NOCTTY, as checkSpecial opened it: a terminal must not
// become the controlling terminal of a gyre that has none (a session
// leader under setsid), its hang-up then gyre's. (Linux today gives no
// write-only open a controlling terminal; the flag says so for the
// systems and kernels that do.) O_TRUNC means nothing to a device. The
// open blocks, unlike checkSpecial's: a write that does not block is one
// a busy terminal may refuse (EAGAIN).
func writeDevice(path, figure string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOCTTY, 0)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, figure)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stdStream is gyre's stdout or stderr if path names the same file
// (/dev/stdout, /proc/self/fd/2, or the file they were redirected to),
// nil otherwise. The figure then goes through that descriptor, after what
// was written there: opening the path again with truncation would erase
// the poems, and with >> what the file held before.
func stdStream(path string) *os.File {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		if sfi, err := f.Stat(); err == nil && os.SameFile(fi, sfi) {
			return f
		}
	}
	return nil
}
