package main

import (
	"github.com/spf13/cobra"

	"gyre/internal/loopcount"
	"gyre/internal/wireserve"
	"gyre/protocols/wire"
	"gyre/reactor"
)

// gyre echo and gyre lines: the library's general request/response path
// as programs, for trying the reactor with netcat and for the load
// benchmarks. Both share wireConfig; internal/wireserve runs them.

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
	name   string // "echo" or "lines"
	port   int
	iface  string
	loops  int
	direct bool // --direct: no batched sends
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
		Args:    noArguments,
	}
	port := addWireFlags(cmd, &cfg)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg.port = int(*port)
		if err := cfg.check(); err != nil {
			return err
		}
		return cfg.run(cmd)
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
		Args:    noArguments,
	}
	port := addWireFlags(cmd, &cfg)
	f := cmd.Flags()
	f.Var(delim, "delimiter", "what ends a line: lf or crlf")
	intVar(f, &maxLength, "max-length", 16384, 1, "longest line accepted, delimiter excluded")
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
		return cfg.run(cmd)
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
	intVar(f, &cfg.loops, "loops", 1, 0, "reactor loops sharing the port (0: one per CPU)")
	f.BoolVar(&cfg.direct, "direct", false, "read and write one connection at a time instead of batching a turn's system calls (io_uring)")
	return port
}

func (c *wireConfig) check() error {
	loops, err := loopcount.Resolve(c.loops, 1)
	if err != nil {
		return usageErrorf("%v", err)
	}
	c.loops = loops
	return nil
}

// run serves cfg until a signal (see wireserve.Run).
func (c *wireConfig) run(cmd *cobra.Command) error {
	return wireserve.Run(cmd.Context(), wireserve.Config{
		Name: c.name, Iface: c.iface, Port: c.port, Loops: c.loops, NewFactory: c.newFactory, Direct: c.direct,
	}, cmd.OutOrStdout())
}
