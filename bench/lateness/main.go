// Command lateness reads the dumps of the load harness's slow runs
// (poetryload --mode slow --dump FILE) and splits their schedule lateness
// into its sources: the first chunk, sent as the connection is accepted
// during the client's connect burst; the later chunks, sent by the server's
// timers; and each connection's constant offset, which comes from where the
// server anchors its schedule.
//
// W5's target compares the p99 of all chunks between servers. That p99
// mixes those sources, and this tool tells them apart: see bench/README.md
// ("W5 lateness, split"). bench/lateness/run measures W5 and calls it.
//
// Usage:
//
//	lateness [-delay 100ms] NAME-REP.dump ...
//
// A file's name less ".dump" names the run; runs named SERVER-N are
// summarised per server (median of each figure over the runs).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	delay := flag.Duration("delay", 100*time.Millisecond, "the server's delay between chunks (the workload's; W4 and W5: 100ms)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: lateness [-delay D] DUMP...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(os.Stdout, *delay, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "lateness:", err)
		os.Exit(1)
	}
}

// result is one dump's split, under its run's name.
type result struct {
	run, server string
	split
}

func run(w io.Writer, delay time.Duration, files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("no dump given (see -h)")
	}
	if delay <= 0 {
		return fmt.Errorf("-delay must be positive, not %v", delay)
	}
	var rs []result
	for _, path := range files {
		r, err := load(path, delay)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	printTable(w, rs)
	printSummary(w, rs)
	printLines(w, rs)
	return nil
}

// load reads and splits one dump.
func load(path string, delay time.Duration) (result, error) {
	f, err := os.Open(path)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	conns, err := parseDump(f)
	if err != nil {
		return result{}, fmt.Errorf("%s: %v", path, err)
	}
	s := analyse(conns, delay.Microseconds())
	if s.chunks == 0 {
		return result{}, fmt.Errorf("%s: no chunk of a complete download in it", path)
	}
	name := strings.TrimSuffix(filepath.Base(path), ".dump")
	return result{run: name, server: serverOf(name), split: s}, nil
}

// serverOf is the server part of a run's name: "gyre" for "gyre-3", the
// whole name when it does not end in -N.
func serverOf(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 || strings.Trim(name[i+1:], "0123456789") != "" {
		return name
	}
	return name[:i]
}
