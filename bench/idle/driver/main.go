//go:build linux

// Command driver measures the server memory that idle connections cost:
// gyre serve's slow server against the load harness's Go net anchor
// (stdserver, a goroutine per connection) and gnet anchor (gnetserver, one
// event loop), one server after the other in one run.
//
// Each server is started with a poem sent 10 bytes at a time, an hour
// apart, and a listener on 127.0.0.1. The driver samples the server's
// resident set (VmRSS of /proc/PID/status) once it has settled after
// start-up, then opens -n connections from the source addresses 127.0.0.2,
// 127.0.0.3, ... (bound before connect, so that each address has the whole
// local port range), reads the first chunk of each and nothing more, checks
// that the server holds them all, samples VmRSS (and its peak, VmHWM) again
// once it has settled, and reports the growth per connection. It then
// resets every connection and kills the server.
//
// Both the server and the driver need a descriptor per connection, and a
// process cannot go beyond RLIMIT_NOFILE's hard limit: the number of
// connections is capped at that limit less 100, and the driver says so.
//
// bench/idle/run builds the servers and runs the driver; Linux only
// (/proc).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

var (
	gyreBin   = flag.String("gyre", "", "gyre binary")
	stdBin    = flag.String("std", "", "the harness's stdserver binary")
	gnetBin   = flag.String("gnet", "", "the harness's gnetserver binary")
	poem      = flag.String("poem", "", "poem file the servers serve")
	servers   = flag.String("servers", "gyre,std,gnet", "servers to measure, in this order")
	connsN    = flag.Int("n", 100000, "idle connections per server")
	perSrc    = flag.Int("per-source", 10000, "most connections from one source address (three quarters of the local port range cap it too)")
	inflight  = flag.Int("inflight", 256, "connections between connect and first chunk at once")
	chunkWait = flag.Duration("chunk-wait", 30*time.Second, "how long one connection may wait for its first chunk")
	timeout   = flag.Duration("timeout", 10*time.Minute, "how long all connections of one server may take to be served")
	check     = flag.Bool("check", false, "check the command line and exit (bench/idle/run does, before it looks for the harness)")
)

// chunk is --num-bytes of every server: the first chunk the client reads.
const chunk = 10

// result is one server's measurement.
type result struct {
	name   string
	conns  int
	before memory
	with   memory
	took   time.Duration
}

func (r result) kbPerConn() float64 { return kbPerConn(r.before.rssKB, r.with.rssKB, r.conns) }

func main() {
	if err := parseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flag.CommandLine.SetOutput(os.Stdout)
			flag.PrintDefaults()
			return
		}
		// The script's name: the driver is only run through it.
		fmt.Fprintf(os.Stderr, "bench/idle/run: %v (see -h)\n", err)
		os.Exit(2)
	}
	if *check {
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/idle:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line and checks what can be checked
// without the servers: a mistake is returned, not printed, so that it
// makes one line (flag's own output is the whole list of flags).
func parseFlags(args []string) error {
	flag.CommandLine.Init(os.Args[0], flag.ContinueOnError)
	flag.CommandLine.SetOutput(io.Discard)
	if err := flag.CommandLine.Parse(args); err != nil {
		return err
	}
	switch {
	case flag.NArg() > 0:
		return fmt.Errorf("unexpected argument %q (flags only)", flag.Arg(0))
	case *connsN < 1 || *perSrc < 1 || *inflight < 1:
		return errors.New("-n, -per-source and -inflight must be at least 1")
	case *chunkWait <= 0 || *timeout <= 0:
		return errors.New("-chunk-wait and -timeout must be above 0")
	}
	for _, name := range strings.Split(*servers, ",") {
		if name != "gyre" && name != "std" && name != "gnet" {
			return fmt.Errorf("unknown server %q in -servers (gyre, std, gnet)", name)
		}
	}
	return nil
}

func run() error {
	names := strings.Split(*servers, ",")
	bins := map[string]string{"gyre": *gyreBin, "std": *stdBin, "gnet": *gnetBin}
	for _, name := range names {
		if bins[name] == "" {
			return fmt.Errorf("server %q: its binary was not given (-gyre, -std, -gnet)", name)
		}
	}
	if *poem == "" {
		return fmt.Errorf("-poem is required")
	}

	n, err := connections(*connsN)
	if err != nil {
		return err
	}
	argv := map[string][]string{}
	if *gyreBin != "" {
		// --max-conns: gyre's own default stops at 65,536 open connections.
		// n exactly, no more: gyre refuses a value past what its
		// descriptor limit leaves, and n leaves fdReserve (capConns),
		// as many as gyre keeps for itself with one loop and one poem
		// (loopcount.Kept, and 32 for --metrics).
		argv["gyre"] = []string{*gyreBin, "serve", "--quiet", "--slow", "--num-bytes", fmt.Sprint(chunk), "--delay", "1h",
			"--iface", "127.0.0.1", "--port", "0", "--max-conns", fmt.Sprint(n), *poem}
	}
	if *stdBin != "" {
		argv["std"] = []string{*stdBin, "--slow", "--num-bytes", fmt.Sprint(chunk), "--delay", "1h", "--port", "0", *poem}
	}
	if *gnetBin != "" {
		argv["gnet"] = []string{*gnetBin, "--slow", "--num-bytes", fmt.Sprint(chunk), "--delay", "1h", "--port", "0", *poem}
	}
	portRange, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return err
	}
	lo, hi, err := parsePortRange(portRange)
	if err != nil {
		return err
	}
	per := perSource(lo, hi, *perSrc)
	srcs, err := sources(n, per)
	if err != nil {
		return err
	}
	fmt.Printf("# %s idle connections per server, from %s (at most %s per address; local ports %d-%d)\n",
		thousands(n), describeSources(srcs), thousands(per), lo, hi)
	o := &opener{srcs: srcs, per: per, chunk: chunk, inflight: *inflight, wait: *chunkWait}

	var results []result
	for _, name := range names {
		r, err := measure(name, argv[name], n, o)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		results = append(results, r)
		// Let the kernel finish tearing the last server's sockets down.
		time.Sleep(time.Second)
	}
	report(results)
	return nil
}

// connections applies the descriptor cap to want.
func connections(want int) (int, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	n, capped := capConns(want, lim.Max, lim.Max == ^uint64(0))
	if n < 1 {
		return 0, fmt.Errorf("fd hard limit %d leaves no descriptor for a connection", lim.Max)
	}
	if capped {
		fmt.Printf("# fd hard limit %d: measuring %s connections instead of %s (the server and this driver each need one descriptor per connection, and %d for themselves)\n",
			lim.Max, thousands(n), thousands(want), fdReserve)
	}
	// Go raised the soft limit to the hard one at start-up; the servers
	// inherit what bench/idle/run set (the same, unless run by hand).
	if lim.Cur < uint64(n)+fdReserve && lim.Cur != lim.Max {
		fmt.Printf("# note: soft fd limit %d is below what %s connections need; run through bench/idle/run (ulimit -n)\n", lim.Cur, thousands(n))
	}
	return n, nil
}

// measure runs one server through the whole measurement.
func measure(name string, argv []string, n int, o *opener) (result, error) {
	fmt.Printf("# %s: %s\n", name, strings.Join(argv, " "))
	srv, err := startServer(argv, 10*time.Second)
	if err != nil {
		return result{}, err
	}
	defer srv.kill()
	r := result{name: name}
	if r.before, err = srv.settle(250*time.Millisecond, 5*time.Second); err != nil {
		return result{}, err
	}
	socksBefore, err := srv.sockets()
	if err != nil {
		return result{}, err
	}

	o.addr = srv.addr
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	conns, err := o.open(ctx, n, srv, func(done int) {
		fmt.Printf("#   %s: %s of %s served\n", name, thousands(done), thousands(n))
	})
	if err != nil {
		return result{}, err
	}
	defer abortAll(conns)
	r.took = time.Since(start)

	if r.with, err = srv.settle(500*time.Millisecond, 20*time.Second); err != nil {
		return result{}, err
	}
	socks, err := srv.sockets()
	if err != nil {
		return result{}, err
	}
	if d := srv.dead(); d != "" {
		return result{}, fmt.Errorf("%s", d)
	}
	if held := socks - socksBefore; held != n {
		return result{}, fmt.Errorf("the server holds %s connections, not %s, after serving their first chunk", thousands(held), thousands(n))
	}
	r.conns = n
	return r, nil
}

// report prints the table, the machine-readable lines and the ratios.
func report(rs []result) {
	fmt.Println()
	fmt.Printf("%-6s %9s %12s %12s %12s %10s %9s\n", "server", "conns", "RSS before", "RSS idle", "VmHWM", "KB/conn", "opened in")
	for _, r := range rs {
		fmt.Printf("%-6s %9s %9.1f MB %9.1f MB %9.1f MB %10.2f %8.1fs\n", r.name, thousands(r.conns),
			float64(r.before.rssKB)/1024, float64(r.with.rssKB)/1024, float64(r.with.hwmKB)/1024, r.kbPerConn(), r.took.Seconds())
	}
	fmt.Println("(KB = KiB of the server's VmRSS growth per idle connection; kernel socket memory is not in it)")
	fmt.Println()
	for _, r := range rs {
		fmt.Printf("IDLE server=%s conns=%d rss_before_kb=%d rss_kb=%d hwm_kb=%d kb_per_conn=%.3f open_s=%.2f\n",
			r.name, r.conns, r.before.rssKB, r.with.rssKB, r.with.hwmKB, r.kbPerConn(), r.took.Seconds())
	}
	i := slices.IndexFunc(rs, func(r result) bool { return r.name == "gyre" })
	if i < 0 {
		return
	}
	var ratios []string
	for _, r := range rs {
		if r.name != "gyre" && r.kbPerConn() > 0 {
			ratios = append(ratios, fmt.Sprintf("gyre/%s=%.3f", r.name, rs[i].kbPerConn()/r.kbPerConn()))
		}
	}
	if len(ratios) > 0 {
		fmt.Printf("IDLE ratio %s\n", strings.Join(ratios, " "))
	}
}
