package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"gyre/internal/loopcount"
	"gyre/poetry"
	"gyre/reactor"
)

const serveLong = `serve runs poetry servers: each poem on its own port, sent whole to every
client that connects, after which the connection is closed (the end of the
connection is the end of the poem: the protocol of the tutorial).

A POEM is a file, or the name of a poem built into gyre (library,
night-bus, orchard); a file of that name in the current directory wins.
Without POEM, gyre serves every built-in poem. --port gives the port of the
first poem; the next poems take the following ports. Without it the system
chooses.
--listen ENDPOINT (repeatable) serves on endpoints instead: one poem on
every endpoint given, or the i-th poem on the i-th endpoint. Endpoints are
Twisted's strings: tcp:PORT[:interface=IP][:backlog=N], tcp6:PORT,
unix:PATH[:mode=0660], tls:PORT:privateKey=KEY.pem[:certKey=CERT.pem] (also
ssl:; without certKey, the key file holds the certificate too; the PEM
files must be regular files, not pipes), and systemd:domain=INET:index=N
(or name=NAME, from LISTEN_FDNAMES) for a socket passed by socket
activation.
gyre prints "Serving POEM on ADDRESS." for each, then logs one record per
client served (peer, bytes, duration, outcome) on stderr.

Modes:
  (default)    the reactor server: each poem written whole as soon as a
               client connects. Poems over 1 MiB are streamed from the file
               with flow control (sendfile), never read into memory.
  --slow       the tutorial's slow server: --num-bytes characters every
               --delay, on the reactor, so any number of clients are served
               at once. Poems are held in memory, 16 MiB at most.
  --blocking   the blocking server of part 2: one client at a time per
               port, the others wait in the listen queue (with --slow:
               the tutorial's slowpoetry.py).

--loops N runs N reactors, each on its own goroutine and OS thread, all
listening on every port (SO_REUSEPORT: the kernel spreads the connections);
0 means one per CPU.

SIGINT, SIGTERM or SIGHUP stops accepting and lets the poems in flight
finish, for at most --grace, then gyre exits with status 0; a second signal
cuts them and exits at once (status 130 after SIGINT, 143 after SIGTERM,
129 after SIGHUP), its log still ending with the stopped line that counts
the poems cut. Started under nohup, gyre leaves SIGHUP ignored.

--max-conns bounds the number of connections open at once: those beyond it
are reset as soon as accepted (a reset, not a clean close, which a client
would read as a whole, empty poem) and counted in the log, so an overload
cannot exhaust memory or descriptors. A Unix socket cannot reset a
connection: there gyre stops accepting at the limit instead, and the
clients beyond it wait in the socket's listen queue until a poem ends (a
Unix socket from systemd served by several loops may hold one poem more per
other loop than the limit, --max-conns + loops - 1 at most: a loop at the
limit hears of poems ending on the others only every 20 ms). It cannot be
more than the descriptor limit (ulimit -n) leaves once gyre's own are
counted (96, and per loop 3 and one per listening socket): a larger value
is refused at start, since past the limit the kernel refuses the accepts.

Durations are seconds (0.1) or carry a unit (100ms, 5s).`

const serveExample = `  # Every built-in poem, each on a port the system chooses
  gyre serve

  # A poem file on port 10000, the way the tutorial's slow server sends it
  gyre serve --port 10000 --slow --num-bytes 10 --delay 0.1 poetry/poems/library.txt

  # Three built-in poems on ports 10000, 10001 and 10002, two loops, JSON logs
  gyre serve --port 10000 --loops 2 --log-format json library night-bus orchard

  # One poem on a Unix socket and on TCP port 10000 at once
  gyre serve --listen unix:/tmp/gyre.sock --listen tcp:10000:interface=127.0.0.1 library

  # Under systemd socket activation (or systemd-socket-activate -l 10000)
  gyre serve --listen systemd:domain=INET:index=0 library

  # The one-client-at-a-time server of part 2
  gyre serve --blocking --slow --port 10000 library`

// serveConfig is the command line of gyre serve, checked.
type serveConfig struct {
	port     int
	iface    string
	listens  []reactor.ServerEndpoint // --listen, parsed
	slow     bool
	numBytes int
	delay    time.Duration
	blocking bool
	loops    int
	direct   bool // --direct: no batched reads and writes
	grace    time.Duration
	maxConns int
	format   logFormat
	quiet    bool
	deployConfig
}

// flushEvery is how often a serving loop hands its buffered log to the
// writer (and reports refused connections).
const flushEvery = 200 * time.Millisecond

// flushRecords: a loop also hands its log over once it holds this many
// client records (some 50 KiB), whatever the time.
const flushRecords = 64

// logBufferLimit bounds the log a loop holds while the writer is behind.
const logBufferLimit = 8 << 20

func newServeCmd() *cobra.Command {
	var (
		cfg      serveConfig
		port     portValue
		delay    = secondsValue(100 * time.Millisecond)
		grace    = secondsValue(5 * time.Second)
		logFmt   = newChoice("text", "text", "json")
		maxConns int
		listens  []string
	)
	cmd := &cobra.Command{
		Use:     "serve [flags] [POEM...]",
		Short:   "Serve poems, each on its own port (fast, slow or blocking)",
		Long:    serveLong,
		Example: serveExample,
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return poetry.Poems(), cobra.ShellCompDirectiveDefault // names, and files
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.port = int(port)
			cfg.delay = time.Duration(delay)
			cfg.grace = time.Duration(grace)
			cfg.format, _ = parseLogFormat(logFmt.value)
			cfg.maxConns = maxConns
			for _, desc := range listens {
				e, err := reactor.ParseServerEndpoint(desc)
				if err != nil {
					return usageErrorf("--listen: %v", err)
				}
				cfg.listens = append(cfg.listens, e)
			}
			if err := cfg.check(cmd, len(args)); err != nil {
				return err
			}
			poems, err := loadPoems(args, cfg.slow)
			if err != nil {
				return err
			}
			defer closePoems(poems)
			return runServe(cmd.Context(), cfg, poems, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.Var(&port, "port", "port of the first poem; the next poems take the following ports (default: chosen by the system)")
	f.StringVar(&cfg.iface, "iface", "localhost", "interface (host name or address) to listen on")
	f.StringArrayVar(&listens, "listen", nil, "serve on this endpoint instead of --port/--iface (repeatable): tcp:PORT[:interface=IP][:backlog=N], tcp6:PORT, unix:PATH[:mode=0660], tls:PORT:privateKey=KEY.pem[:certKey=CERT.pem] (or ssl:), systemd:domain=INET:index=N (or :name=NAME)")
	f.BoolVar(&cfg.slow, "slow", false, "send the poem slowly, --num-bytes characters every --delay")
	intVar(f, &cfg.numBytes, "num-bytes", 10, 1, "with --slow: characters per send")
	f.Var(&delay, "delay", "with --slow: pause between sends")
	f.BoolVar(&cfg.blocking, "blocking", false, "serve one client at a time per port, with blocking sockets")
	intVar(f, &cfg.loops, "loops", 1, 0, "reactor loops sharing the ports (0: one per CPU)")
	f.BoolVar(&cfg.direct, "direct", false, "read and write one connection at a time instead of batching a turn's system calls (io_uring)")
	f.Var(&grace, "grace", "on SIGINT, SIGTERM or SIGHUP, how long poems in flight may take to finish")
	intVar(f, &maxConns, "max-conns", 0, 0, "most connections open at once; more are reset at once, or wait to be accepted on a Unix socket (default: as many as the descriptor limit leaves, at most 65536; more than it leaves is refused)")
	f.Var(logFmt, "log-format", "log format on stderr")
	f.BoolVarP(&cfg.quiet, "quiet", "q", false, "log only warnings and errors, not every client")
	completeChoices(cmd, "log-format", logFmt)
	addDeployFlags(cmd, &cfg.deployConfig)
	return cmd
}

// check validates what the flags cannot check alone.
func (c *serveConfig) check(cmd *cobra.Command, npoems int) error {
	if npoems == 0 {
		npoems = len(poetry.Poems())
	}
	if c.port != 0 && c.port+npoems-1 > 65535 {
		return usageErrorf("--port %d: %d poems need ports up to %d, past 65535", c.port, npoems, c.port+npoems-1)
	}
	if len(c.listens) > 0 {
		for _, name := range []string{"port", "iface"} {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s and --listen exclude each other: give the address in the endpoint", name)
			}
		}
		if c.blocking {
			return usageErrorf("--blocking serves plain TCP on --port: it takes no --listen")
		}
		if c.loops != 1 {
			for _, e := range c.listens {
				if e.Type == "unix" {
					return usageErrorf("--listen %s: a Unix socket is served by one loop: it takes no --loops", e)
				}
			}
		}
		if npoems > 1 && len(c.listens) != npoems {
			return usageErrorf("--listen given %d times for %d poems: give one endpoint per poem, or serve one poem on every endpoint", len(c.listens), npoems)
		}
	}
	if c.numBytes < 1 {
		return usageErrorf("--num-bytes must be at least 1, not %d", c.numBytes)
	}
	for _, name := range []string{"num-bytes", "delay"} {
		if cmd.Flags().Changed(name) && !c.slow {
			return usageErrorf("--%s applies only with --slow", name)
		}
	}
	askedLoops := c.loops // before 0 becomes one per CPU
	loops, err := loopcount.Resolve(c.loops, listenersPerLoop(npoems, len(c.listens)))
	if err != nil {
		return usageErrorf("%v", err)
	}
	c.loops = loops
	// A bracketed IPv6 literal, as in an address ("[::1]:10000"), names
	// the same interface as the bare one.
	if len(c.iface) > 2 && c.iface[0] == '[' && c.iface[len(c.iface)-1] == ']' {
		c.iface = c.iface[1 : len(c.iface)-1]
	}
	if c.blocking {
		// Flags of the reactor server, which the blocking one would
		// otherwise ignore without a word (--max-conns promises resets it
		// never makes). A value that would change nothing (--loops 1,
		// --max-conns 0, --direct=false, --proxy-protocol=false) is not
		// refused: a script may spell out the defaults.
		if askedLoops != 1 {
			return usageErrorf("--blocking serves one client at a time: --loops %d does not apply (only 1, the default)", askedLoops)
		}
		if c.maxConns > 0 {
			return usageErrorf("--blocking serves one client at a time: --max-conns %d does not apply (only 0, the default)", c.maxConns)
		}
		if c.direct {
			return usageErrorf("--direct is how the reactor server makes its system calls: it does not apply with --blocking")
		}
	}
	if c.maxConns < 0 {
		return usageErrorf("--max-conns must be 0 (automatic) or more, not %d", c.maxConns)
	}
	spare, limit, known := loopcount.Spare(c.loops, listenersPerLoop(npoems, len(c.listens)), opsMaxConns)
	switch {
	case c.maxConns == 0:
		c.maxConns = defaultMaxConns(spare, known)
	case known && uint64(c.maxConns) > spare:
		// Refused, as --loops is: past the limit the kernel would refuse
		// the accepts instead (EMFILE), and the clients beyond would wait
		// in the listen queue rather than be reset as --max-conns says.
		return usageErrorf("--max-conns %d: the descriptor limit is %d (ulimit -n), which leaves room for %d connections once gyre's own %d are counted",
			c.maxConns, limit, spare, limit-spare)
	}
	return c.deployConfig.check(cmd, c.blocking)
}

// listenersPerLoop is how many listening sockets each loop opens: one per
// poem, or one per --listen endpoint, which may all serve one poem.
func listenersPerLoop(npoems, listens int) int {
	return max(npoems, listens)
}

// defaultMaxConns is what --max-conns 0 means: the spare descriptors of
// the process's limit (which Go raises to the hard limit at start-up),
// once the loops, their listening sockets, the metrics endpoint and the
// reserve for the log and the runtime are counted (loopcount.Spare), and
// capped so that a machine with no real limit does not promise a million
// connections' worth of memory. known is false where the limit could not
// be read.
func defaultMaxConns(spare uint64, known bool) int {
	if !known {
		return 1024
	}
	return int(min(max(spare, 16), 65536))
}

// poemServer is what runServe drives: the reactor server or the blocking
// one.
type poemServer interface {
	// listening lists the ports, in the order of the poems.
	listening() []servingPort
	// start serves, on goroutines of its own.
	start()
	// drain stops accepting and says how many clients are in flight;
	// done is closed once they have been served.
	drain() int
	// cut aborts the connections still open (a reset for each client,
	// why in its log record); done follows shortly.
	cut(why string)
	// buffers are the log buffers to write out at exit.
	buffers() []*logBuffer
	done() <-chan struct{}
	// err is why the server stopped by itself, if it did.
	err() error
	// finish logs the last reports (after done) and returns the totals.
	finish() serveTotals
}

// servingPort is one poem being served.
type servingPort struct {
	name string
	addr string // host:port, or a Unix socket's path
	unix bool   // a Unix socket: it cannot reset a connection
}

// serveTotals counts the clients of a whole run.
type serveTotals struct {
	served, lost, refused, bytes int64
	cut                          int64 // of lost: cut by gyre (the grace over)
	poemFile                     int64 // of lost: the poem file shrank or failed a read
	proxyRejected                int64 // --proxy-protocol: aborted without a valid header
}

// logCloseWait bounds how long gyre serve waits at exit for its log to be
// written: a stderr nobody reads must not keep the process alive.
const logCloseWait = 2 * time.Second

// stopSignals are the signals that stop gyre serve: the first lets the
// poems in flight finish, a second cuts them. SIGHUP (the terminal went
// away) is one of them, logged like the others, rather than the default
// action that kills the process without a word and sends each client a
// clean close on a partial poem; but not under nohup (see
// heededStopSignals).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// signalStatus is the exit status of a process killed by sig (128 + its
// number), which gyre serve exits with on a second signal.
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// runServe serves until a signal (or ctx) says stop: build the log and
// the server, announce it, serve, then drain within the grace period.
func runServe(ctx context.Context, cfg serveConfig, poems []*poemSource, stdout, stderr io.Writer) error {
	level := slog.LevelInfo
	if cfg.quiet {
		level = slog.LevelWarn
	}
	sink := newLogSink(stderr)
	say, mainBuf := newSayer(sink, cfg.format, level)

	// Signals are caught before the first "Serving" line: whoever reads
	// it may signal at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, heededStopSignals()...)
	defer signal.Stop(sigs)

	ops, err := listenOps(cfg.metricsAddr)
	if err != nil {
		sink.closeWithin(logCloseWait, mainBuf)
		return err
	}
	defer ops.close()

	srv, err := newPoemServer(cfg, poems, sink, level)
	if err != nil {
		sink.closeWithin(logCloseWait, mainBuf)
		return err
	}
	// closeLog writes what is left of the log, waiting at most wait.
	closeLog := func(wait time.Duration) (int64, bool) {
		return sink.closeWithin(wait, append(srv.buffers(), mainBuf)...)
	}
	announceServing(cfg, len(poems), srv, ops, stdout, say)
	srv.start()

	why, stopped := waitForStop(ctx, srv, sigs)
	if !stopped { // it failed by itself
		srv.finish()
		closeLog(logCloseWait)
		return srv.err()
	}
	sayEnd := func() { sayStopped(cfg, srv, sink, say) }
	if err := drainServer(cfg, srv, ops, sigs, say, why, sayEnd, closeLog); err != nil {
		return err
	}
	sayEnd()
	if err := finishLog(sigs, closeLog, stderr); err != nil {
		return err
	}
	return srv.err()
}

// sayStopped logs the final "stopped" line with the totals. The server
// must have ended (srv.done): the totals are the loops' own counters.
func sayStopped(cfg serveConfig, srv poemServer, sink *logSink, say sayer) {
	t := srv.finish()
	totals := []slog.Attr{slog.Int64("served", t.served), slog.Int64("lost", t.lost),
		slog.Int64("refused", t.refused), slog.Int64("bytes", t.bytes)}
	if cfg.proxyProtocol {
		totals = append(totals, slog.Int64("proxy_rejected", t.proxyRejected))
	}
	stopLevel := slog.LevelInfo
	// A poem gyre cut, or lost to its poem file, is one it lost by its
	// own doing, and its /metrics is gone before a scrape can count it:
	// this line is then the only count left under --quiet (which drops
	// the clients' records and every info line), so it is a warning, and
	// says how many of each.
	if t.cut > 0 {
		stopLevel = slog.LevelWarn
		totals = append(totals, slog.Int64("cut", t.cut))
	}
	if t.poemFile > 0 {
		stopLevel = slog.LevelWarn
		totals = append(totals, slog.Int64("poem_file", t.poemFile))
	}
	// The last clients' records (the poems a cut ended) go to the writer
	// before the summary that counts them.
	for _, b := range srv.buffers() {
		sink.flush(b)
	}
	say(stopLevel, "stopped", totals...)
}

// sayer logs one line of the main log and hands it to the sink at once.
type sayer func(lvl slog.Level, msg string, attrs ...slog.Attr)

// newSayer returns the main log and the bounded buffer it writes through.
func newSayer(sink *logSink, format logFormat, level slog.Level) (sayer, *logBuffer) {
	mainBuf := sink.newBuffer()
	mainLog := slog.New(newLogHandler(mainBuf, format, level))
	return func(lvl slog.Level, msg string, attrs ...slog.Attr) {
		mainLog.LogAttrs(context.Background(), lvl, msg, attrs...)
		sink.flush(mainBuf)
	}, mainBuf
}

// newPoemServer builds the server the flags ask for.
func newPoemServer(cfg serveConfig, poems []*poemSource, sink *logSink, level slog.Level) (poemServer, error) {
	if cfg.blocking {
		return newBlockingServer(cfg, poems, sink, level)
	}
	return newReactorServer(cfg, poems, sink, level)
}

// announceServing prints a "Serving" line per port and logs the settings.
func announceServing(cfg serveConfig, poems int, srv poemServer, ops *opsServer, stdout io.Writer, say sayer) {
	for _, p := range srv.listening() {
		fmt.Fprintf(stdout, "Serving %s on %s.\n", lineSafe(p.name), lineSafe(p.addr))
	}
	mode := "fast"
	switch {
	case cfg.blocking && cfg.slow:
		mode = "blocking, slow"
	case cfg.blocking:
		mode = "blocking"
	case cfg.slow:
		mode = "slow"
	}
	attrs := []slog.Attr{slog.String("mode", mode), slog.Int("poems", poems)}
	if !cfg.blocking {
		attrs = append(attrs, slog.Int("loops", cfg.loops), slog.Int("max_conns", cfg.maxConns))
	}
	if cfg.slow {
		attrs = append(attrs, slog.Int("num_bytes", cfg.numBytes), slog.Duration("delay", cfg.delay))
	}
	if ops != nil {
		rs := srv.(*reactorServer)
		ops.serve(&statsCollector{loops: rs.enableStats(), log: rs.sink, maxConns: cfg.maxConns, drain: ops.newDrain(cfg.grace)}, say)
		attrs = append(attrs, slog.String("metrics", ops.Addr().String()))
	}
	if cfg.proxyProtocol {
		attrs = append(attrs, slog.Bool("proxy_protocol", true))
	}
	say(slog.LevelInfo, "serving", attrs...)
	for _, p := range srv.listening() {
		if p.unix {
			say(slog.LevelWarn, unixNoReset, slog.String("listen", p.addr))
		}
	}
}

// lineSafe gives s as it is, or quoted (as the log quotes it) if it holds
// a control character or is not UTF-8: a poem file's name or a Unix
// socket's path with a newline in it must not split its "Serving" line
// in two, which whoever reads the lines would take for two.
func lineSafe(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strconv.Quote(s)
}

// unixNoReset is the warning for a Unix socket listener. A poem cut short
// ends with a reset over TCP and TLS, so that the client knows; a Unix
// stream socket has no reset (SO_LINGER does nothing there, and Linux
// reports ECONNRESET to the peer only when the closing side leaves input
// unread, which a poetry client never sends), so its client sees an end
// of stream either way. For the same reason --max-conns does not refuse
// there: the socket stops accepting at the limit (servequeue.go).
const unixNoReset = "a Unix socket cannot reset a connection: a client of a poem cut short here (the grace over, a second signal) sees a clean end, as for a whole poem; beyond --max-conns, clients wait in the listen queue instead of being refused"

// waitForStop waits for a signal or the end of ctx, and says why; stopped
// is false if the server ended by itself first.
func waitForStop(ctx context.Context, srv poemServer, sigs <-chan os.Signal) (why slog.Attr, stopped bool) {
	select {
	case <-srv.done():
		return slog.Attr{}, false
	case sig := <-sigs:
		return slog.String("signal", sig.String()), true
	case <-ctx.Done():
		return slog.String("reason", context.Cause(ctx).Error()), true
	}
}

// drainServer stops accepting and lets the poems in flight finish within
// the grace period, then cuts what is left with a reset. A second signal
// cuts them at once and exits (the error carries the exit status), after
// the final line (sayEnd) if the server ends within a short wait.
func drainServer(cfg serveConfig, srv poemServer, ops *opsServer, sigs <-chan os.Signal, say sayer, why slog.Attr, sayEnd func(), closeLog func(time.Duration) (int64, bool)) error {
	ops.setDraining(cfg.grace) // the balancer's health check fails from now on
	inFlight := srv.drain()
	say(slog.LevelInfo, "stopping: no new connections; the poems in flight may finish", why,
		slog.Int("in_flight", inFlight), slog.Duration("grace", cfg.grace))
	grace := time.NewTimer(cfg.grace)
	defer grace.Stop()
	select {
	case <-srv.done():
	case <-grace.C:
		say(slog.LevelWarn, "grace period over: cutting the connections still open", slog.Duration("grace", cfg.grace))
		ops.setCut()
		srv.cut("grace period over")
		select {
		case <-srv.done():
		case sig := <-sigs: // a server slow to finish its cut: the signal still ends it
			return &exitError{code: signalStatus(sig), err: fmt.Errorf("second signal (%s) while the poems in flight were cut: exiting", sig)}
		}
	case sig := <-sigs:
		// Exit at once, but each poem still in flight ends with a reset
		// (not the clean close the kernel would send for a process that
		// just exits), and the log says so if it can be written within
		// a short wait: the poems' records, then the final line that
		// counts them (cut=N), the operator's one record of what the
		// forced exit cost. The totals are the loops' own counters, read
		// only once the loops have ended; a loop stuck past the wait
		// leaves the line out rather than hold the exit.
		ops.setCut()
		srv.cut("second signal (" + sig.String() + ")")
		select {
		case <-srv.done():
			sayEnd()
		case <-time.After(logCloseWait / 4):
		}
		if _, drained := closeLog(logCloseWait / 4); !drained {
			return &exitError{code: signalStatus(sig)} // stderr is stuck: say nothing more
		}
		return &exitError{code: signalStatus(sig), err: fmt.Errorf("second signal (%s): exiting without waiting for the poems in flight (cut with a reset)", sig)}
	}
	return nil
}

// finishLog writes out what is left of the log, within logCloseWait; a
// second signal ends the wait too. The records that could not be written
// are counted on stderr if it works again by then.
func finishLog(sigs <-chan os.Signal, closeLog func(time.Duration) (int64, bool), stderr io.Writer) error {
	type closed struct {
		lost    int64
		drained bool
	}
	logDone := make(chan closed, 1)
	go func() {
		lost, drained := closeLog(logCloseWait)
		logDone <- closed{lost, drained}
	}()
	select {
	case c := <-logDone:
		if c.lost > 0 && c.drained {
			// Said only if the log works again by now (a stuck stderr
			// would block this write); the exit status does not
			// depend on the log.
			fmt.Fprintf(stderr, "gyre: %d log records could not be written\n", c.lost)
		}
	case sig := <-sigs:
		return &exitError{code: signalStatus(sig)} // stderr is stuck: say nothing more
	}
	return nil
}
