// Command echo-server is an echo server and a line server on gyre's
// library alone: the reactor, protocols/wire and protocols/basic, with
// none of the gyre tool around them.
//
//	go run ./examples/beyond/echo-server [--iface HOST] [--port P] [--loops N] [--direct]
//	go run ./examples/beyond/echo-server --lines [--delimiter crlf] [--max-length N]
//
// Without --lines every byte a client sends comes back, in order, on the
// same connection (Twisted's Echo protocol, wire.Echo). With --lines what
// a client sends is split into lines by a basic.LineReceiver and each line
// answered with itself (wire.LineEcho); a line longer than --max-length
// ends its connection; --delimiter and --max-length without --lines are a
// usage error. Try either with nc 127.0.0.1 PORT.
//
// It prints "Serving echo on ADDRESS." (or "Serving lines on ...") and
// runs until SIGINT or SIGTERM. --loops N runs N reactors sharing the port
// (SO_REUSEPORT), one per core. The answers of one turn of a loop go to the
// kernel together, in one io_uring_enter(2) (reactor.WithBatchedIO), where
// the kernel allows it; --direct writes each one at once instead.
//
// This is the program the load benchmarks measure on E1-E3 (bench/run):
// what a user's own server on the library costs. gyre echo and gyre lines
// serve the same way (both run internal/wireserve), inside a binary that
// also carries gyre's other commands, the Prometheus client and TLS, whose
// pages the kernel maps in and counts in the process's resident memory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"gyre/internal/loopcount"
	"gyre/internal/wireserve"
	"gyre/protocols/wire"
	"gyre/reactor"
)

func main() {
	cfg, err := parseArgs(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo-server:", err)
		os.Exit(2)
	}
	if err := wireserve.Run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "echo-server:", err)
		os.Exit(1)
	}
}

// parseArgs reads the command line into what to serve.
func parseArgs(args []string) (wireserve.Config, error) {
	cfg := wireserve.Config{Name: "echo"}
	fs := flag.NewFlagSet("echo-server", flag.ContinueOnError)
	fs.StringVar(&cfg.Iface, "iface", "127.0.0.1", "the interface to listen on")
	fs.IntVar(&cfg.Port, "port", 0, "the port to listen on (0: one the system chooses)")
	fs.IntVar(&cfg.Loops, "loops", 1, "reactor loops sharing the port (0: one per CPU)")
	fs.BoolVar(&cfg.Direct, "direct", false, "read and write one connection at a time instead of batching a turn's system calls (io_uring)")
	lines := fs.Bool("lines", false, "answer each line with itself instead of echoing bytes")
	delim := fs.String("delimiter", "lf", "with --lines, what ends a line: lf or crlf")
	maxLength := fs.Int("max-length", 16384, "with --lines, the longest line accepted")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch lineOnly := lineFlagSet(fs); {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !*lines && lineOnly != "":
		// Ignored, it would leave the user thinking lines are served.
		return cfg, fmt.Errorf("--%s applies only with --lines", lineOnly)
	case cfg.Port < 0 || cfg.Port > 65535:
		return cfg, fmt.Errorf("--port must be between 0 and 65535, not %d", cfg.Port)
	case *maxLength < 1:
		return cfg, fmt.Errorf("--max-length must be at least 1, not %d", *maxLength)
	case *delim != "lf" && *delim != "crlf":
		return cfg, fmt.Errorf("--delimiter must be lf or crlf, not %q", *delim)
	}
	loops, err := loopcount.Resolve(cfg.Loops, 1)
	if err != nil {
		return cfg, err
	}
	cfg.Loops = loops
	cfg.NewFactory = func() reactor.Factory { return wire.EchoFactory{} }
	if *lines {
		d := []byte("\n")
		if *delim == "crlf" {
			d = []byte("\r\n")
		}
		cfg.Name = "lines"
		cfg.NewFactory = func() reactor.Factory {
			return &wire.LineEchoFactory{Delimiter: d, MaxLength: *maxLength}
		}
	}
	return cfg, nil
}

// lineFlagSet returns the name of a flag given on the command line that
// only --lines uses ("" if none was).
func lineFlagSet(fs *flag.FlagSet) string {
	name := ""
	fs.Visit(func(f *flag.Flag) {
		if name == "" && (f.Name == "delimiter" || f.Name == "max-length") {
			name = f.Name
		}
	})
	return name
}
