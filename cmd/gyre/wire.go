package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"gyre/protocols/wire"
	"gyre/reactor"
)

// gyre echo and gyre lines: the library's general request/response path
// as programs, for the load benchmarks (bench/run E1-E3) and for trying
// the reactor with netcat. Both share wireConfig and runWire.

const echoLong = `echo runs an echo server: every byte a client sends comes back, in order,
on the same connection, which stays open until the client closes it
(Twisted's Echo protocol, protocols/wire.Echo).

--loops N runs N reactors, each on its own goroutine and OS thread, all
listening on the port (SO_REUSEPORT: the kernel spreads the connections);
0 means one per CPU. gyre prints "Serving echo on ADDRESS." and runs until
SIGINT or SIGTERM, which close every connection and exit with status 0.`

const echoExample = `  # An echo server on port 9000; try it with: nc 127.0.0.1 9000
  gyre echo --port 9000

  # Two loops, as the load benchmarks run it on both cores
  gyre echo --port 9000 --loops 2`

const linesLong = `lines runs a line server built on protocols/basic.LineReceiver: it splits
what each client sends into lines and answers every line with the same
line (protocols/wire.LineEcho). The answers to all the lines of one read
leave in one write. A line longer than --max-length ends its connection.

--delimiter is lf ("\n", the default) or crlf ("\r\n", Twisted's
LineReceiver's default). --loops as for gyre echo. gyre prints "Serving
lines on ADDRESS." and runs until SIGINT or SIGTERM.`

const linesExample = `  # A line server on port 9001; try it with: nc 127.0.0.1 9001
  gyre lines --port 9001

  # Lines ending in CRLF, at most 1,024 bytes
  gyre lines --port 9001 --delimiter crlf --max-length 1024`

// wireConfig is the command line of gyre echo and gyre lines.
type wireConfig struct {
	name  string // "echo" or "lines"
	port  int
	iface string
	loops int
	// newFactory makes the factory of one loop (a LineEchoFactory holds
	// a buffer of its loop's, so each loop gets its own).
	newFactory func() reactor.Factory
}

func newEchoCmd() *cobra.Command {
	cfg := wireConfig{name: "echo", newFactory: func() reactor.Factory { return wire.EchoFactory{} }}
	cmd := &cobra.Command{
		Use:     "echo [flags]",
		Short:   "Run an echo server (every byte written back)",
		Long:    echoLong,
		Example: echoExample,
		Args:    cobra.NoArgs,
	}
	port := addWireFlags(cmd, &cfg)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg.port = int(*port)
		if err := cfg.check(); err != nil {
			return err
		}
		return runWire(cmd.Context(), cfg, cmd.OutOrStdout())
	}
	return cmd
}

func newLinesCmd() *cobra.Command {
	cfg := wireConfig{name: "lines"}
	delim := newChoice("lf", "lf", "crlf")
	var maxLength int
	cmd := &cobra.Command{
		Use:     "lines [flags]",
		Short:   "Run a line server (every line answered with itself)",
		Long:    linesLong,
		Example: linesExample,
		Args:    cobra.NoArgs,
	}
	port := addWireFlags(cmd, &cfg)
	f := cmd.Flags()
	f.Var(delim, "delimiter", "what ends a line: lf or crlf")
	f.IntVar(&maxLength, "max-length", 16384, "longest line accepted, delimiter excluded")
	completeChoices(cmd, "delimiter", delim)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg.port = int(*port)
		if err := cfg.check(); err != nil {
			return err
		}
		if maxLength < 1 {
			return usageErrorf("--max-length must be at least 1, not %d", maxLength)
		}
		d := []byte("\n")
		if delim.value == "crlf" {
			d = []byte("\r\n")
		}
		cfg.newFactory = func() reactor.Factory {
			return &wire.LineEchoFactory{Delimiter: d, MaxLength: maxLength}
		}
		return runWire(cmd.Context(), cfg, cmd.OutOrStdout())
	}
	return cmd
}

// addWireFlags adds the flags gyre echo and gyre lines share.
func addWireFlags(cmd *cobra.Command, cfg *wireConfig) *portValue {
	port := new(portValue)
	f := cmd.Flags()
	f.SortFlags = false
	f.Var(port, "port", "port to listen on (default: chosen by the system)")
	f.StringVar(&cfg.iface, "iface", "localhost", "interface (host name or address) to listen on")
	f.IntVar(&cfg.loops, "loops", 1, "reactor loops sharing the port (0: one per CPU)")
	return port
}

func (c *wireConfig) check() error {
	if c.loops < 0 {
		return usageErrorf("--loops must be 0 (one per CPU) or more, not %d", c.loops)
	}
	if c.loops == 0 {
		c.loops = runtime.NumCPU()
	}
	return nil
}

// runWire listens with cfg.loops reactors and serves until a signal, ctx,
// or a loop that fails.
func runWire(ctx context.Context, cfg wireConfig, stdout io.Writer) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	// One processor more than loops: a loop with nothing to do then
	// blocks in epoll_pwait2 itself, the cheapest wait there is (see
	// reactor/internal/poll's epoll backend). With no processor spare it
	// must park in the runtime's poller instead, where each wake-up passes
	// through a second epoll set: measured here with the harness's E1 and
	// E3 loads on one pinned core, that cost the client some 10% more CPU
	// per request and the pair a quarter of its requests per second. The
	// spare processor costs nothing while idle (the loops allocate
	// nothing, so the collector has no work for it).
	if runtime.GOMAXPROCS(0) <= cfg.loops {
		runtime.GOMAXPROCS(cfg.loops + 1)
	}
	var loops []*reactor.Reactor
	defer func() {
		for _, r := range loops {
			r.Close()
		}
	}()
	// Nagle off, as every request/response server wants: an answer
	// written while the previous one is unacknowledged would otherwise
	// wait for the client's delayed ACK (up to 40 ms) whenever a request
	// arrives in two reads.
	opts := []reactor.ListenOption{reactor.WithNoDelay()}
	if cfg.loops > 1 {
		opts = append(opts, reactor.WithReusePort())
	}
	port := cfg.port
	addr := ""
	for i := range cfg.loops {
		r, err := reactor.New(reactor.WithLoops(cfg.loops))
		if err != nil {
			return err
		}
		loops = append(loops, r)
		lp, err := r.ListenTCP(net.JoinHostPort(cfg.iface, strconv.Itoa(port)), cfg.newFactory(), opts...)
		if err != nil {
			return err
		}
		if i == 0 {
			// The other loops share the port the first one got.
			port = lp.Addr().(*net.TCPAddr).Port
			addr = lp.Addr().String()
		}
	}
	fmt.Fprintf(stdout, "Serving %s on %s.\n", cfg.name, addr)

	errs := make(chan error, len(loops))
	for _, r := range loops {
		go func() {
			if len(loops) > 1 {
				// One loop per core: a thread each, so that they do
				// not take turns on one.
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			errs <- r.Run()
		}()
	}
	var firstErr error
	running := len(loops)
	select {
	case <-sigs:
	case <-ctx.Done():
	case firstErr = <-errs:
		running--
		if firstErr == nil {
			firstErr = fmt.Errorf("%s: a loop stopped by itself", cfg.name)
		}
	}
	for _, r := range loops {
		r.CallFromGoroutine(func() { r.Stop() })
	}
	for ; running > 0; running-- {
		if err := <-errs; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}
