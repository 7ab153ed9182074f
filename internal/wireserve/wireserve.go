// Package wireserve runs a request/response server (an echo server, a
// line server) on one or more reactor loops sharing a port, until a
// signal or a context ends it. It is what gyre echo, gyre lines and the
// echo-server example share: the load benchmarks (bench/run E1-E3) run
// them, so the library's general path is measured through one piece of
// code whichever program starts it.
package wireserve

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

	"gyre/internal/loopcount"
	"gyre/reactor"
)

// Config says what to serve and where.
type Config struct {
	// Name is what is served, in the "Serving NAME on ADDRESS." line and
	// in errors ("echo", "lines").
	Name  string
	Iface string // host name or address to listen on
	Port  int    // 0: chosen by the system
	// Loops is the number of reactors, each on its own goroutine and OS
	// thread, listening on the port with SO_REUSEPORT (at least 1).
	Loops int
	// NewFactory makes the factory of one loop: factories hold per-loop
	// state (a LineEchoFactory's buffer), so each loop gets its own.
	NewFactory func() reactor.Factory
	// Direct turns batching off: each answer is written with its own
	// write(2) when it is made, instead of the answers of one turn going
	// to the kernel together (reactor.WithBatchedIO, on by default here
	// because it is what such a server wants: see that option).
	Direct bool
}

// Run listens with cfg.Loops reactors, prints "Serving NAME on ADDRESS."
// on stdout, and serves until SIGINT or SIGTERM, ctx, or a loop that
// fails (its error is returned). A signal or ctx ends it with nil.
func Run(ctx context.Context, cfg Config, stdout io.Writer) error {
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
	if runtime.GOMAXPROCS(0) <= cfg.Loops {
		runtime.GOMAXPROCS(cfg.Loops + 1)
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
	if cfg.Loops > 1 {
		opts = append(opts, reactor.WithReusePort())
	}
	port := cfg.Port
	addr := ""
	for i := range cfg.Loops {
		r, err := reactor.New(reactor.WithLoops(cfg.Loops), reactor.WithBatchedIO(!cfg.Direct))
		if err != nil {
			return err
		}
		loops = append(loops, r)
		if i == 0 && cfg.Loops > 1 {
			if port, err = loopcount.ExclusivePort(r, cfg.Iface, port); err != nil {
				return err
			}
		}
		lp, err := r.ListenTCP(net.JoinHostPort(cfg.Iface, strconv.Itoa(port)), cfg.NewFactory(), opts...)
		if err != nil {
			return err
		}
		if i == 0 {
			// The other loops share the port the first one got.
			port = lp.Addr().(*net.TCPAddr).Port
			addr = lp.Addr().String()
		}
	}
	fmt.Fprintf(stdout, "Serving %s on %s.\n", cfg.Name, addr)

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
			firstErr = fmt.Errorf("%s: a loop stopped by itself", cfg.Name)
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
