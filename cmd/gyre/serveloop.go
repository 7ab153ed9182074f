package main

import (
	"context"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"gyre/internal/loopcount"
	"gyre/poetry"
	"gyre/reactor"
)

// reactorServer is gyre serve on reactors: --loops loops, each on its own
// goroutine, each listening on every poem's port.
//
// Everything a loop counts lives on the loop and is touched only by it:
// the connections open, the clients served and lost, the refusals, its
// log buffer. The one thing shared between loops is the --max-conns
// count, an atomic when there are several loops.
type reactorServer struct {
	cfg    serveConfig
	loops  []*serveLoop
	ports  []servingPort
	sink   *logSink
	doneCh chan struct{}
	runErr error
}

// serveLoop is one reactor and its share of the work.
type serveLoop struct {
	srv   *reactorServer
	r     *reactor.Reactor
	ports []*reactor.Port

	buf       *logBuffer
	handler   slog.Handler // the loop's records ("loop" attribute with several loops)
	logger    *slog.Logger
	perClient bool // log a record per client (not --quiet)

	gate      gate
	live      int // connections open
	draining  bool
	cutReason error // set by cut: the record of every connection it aborts
	refuse    refuser

	// Ports that cannot refuse with a reset (Unix sockets): at the limit
	// they stop accepting instead (servequeue.go).
	queuePorts   []*reactor.Port
	queueHeld    bool // stopped at the limit
	queueTimer   *reactor.DelayedCall
	queueCheckFn func()

	served, lost, refused, bytes int64
	cutPoems                     int64 // of lost: aborted by a cut
	filePoems                    int64 // of lost: the poem file shrank or failed a read
	refusedLogged                int64
	proxyRejected                int64      // --proxy-protocol (serveproxy.go)
	stats                        *loopStats // --metrics (servestats.go); nil without

	flushTimer *reactor.DelayedCall
	flushFn    func()
	unflushed  int // client records since the last flush
}

// servedPort serves one poem on one loop: it is the factory given to
// ListenTCP, wrapping the poetry factory to count connections in and out.
type servedPort struct {
	l     *serveLoop
	inner reactor.Factory
	log   slog.Handler // the loop's, with the poem and the port
	// noReset: the port cannot refuse a connection with a reset (a Unix
	// socket), so it is never refused one (see servequeue.go).
	noReset bool
}

func newReactorServer(cfg serveConfig, poems []*poemSource, sink *logSink, level slog.Level) (*reactorServer, error) {
	s := &reactorServer{cfg: cfg, sink: sink, doneCh: make(chan struct{})}
	var shared *atomic.Int64
	if cfg.loops > 1 {
		shared = new(atomic.Int64)
	}
	fail := func(err error) (*reactorServer, error) {
		for _, l := range s.loops {
			l.r.Close() // closes the ports it listens on
		}
		return nil, err
	}
	for i := range cfg.loops {
		l := &serveLoop{
			srv:       s,
			buf:       sink.newBuffer(),
			perClient: level <= slog.LevelInfo,
			gate:      gate{max: int64(cfg.maxConns), shared: shared},
		}
		var h slog.Handler = newLogHandler(l.buf, cfg.format, level)
		if cfg.loops > 1 {
			h = h.WithAttrs([]slog.Attr{slog.Int("loop", i)})
		}
		l.handler = h
		l.logger = slog.New(h)
		l.flushFn = l.flush
		l.queueCheckFn = l.releaseQueue
		// The reactor's own records (a panic in a callback, running out
		// of descriptors) go into the loop's log too, and bring a flush.
		r, err := reactor.New(reactor.WithLogger(slog.New(flushingHandler{h, l})), reactor.WithLoops(cfg.loops),
			reactor.WithBatchedIO(!cfg.direct))
		if err != nil {
			return fail(err)
		}
		l.r = r
		s.loops = append(s.loops, l)
	}
	var opts []reactor.ListenOption
	if cfg.loops > 1 {
		opts = append(opts, reactor.WithReusePort())
	}
	if cfg.slow {
		// The slow server turns Nagle off on every client (small sends
		// on a schedule): once on the listener instead of once per
		// accept, which matters in a burst of ten thousand connects
		// (on a socket systemd passed, once per accept after all: the
		// listener is systemd's, see reactor.WithNoDelay).
		opts = append(opts, reactor.WithNoDelay())
	}
	for j, p := range poems {
		if len(cfg.listens) > 0 {
			for k, e := range cfg.listens {
				if len(poems) > 1 && k != j {
					continue
				}
				sp, err := s.listenEndpoint(cfg, p, e, poemListenOptions(cfg, p, opts))
				if err != nil {
					return fail(err)
				}
				s.ports = append(s.ports, sp)
			}
			continue
		}
		port := 0
		if cfg.port != 0 {
			port = cfg.port + j
		}
		var addr string
		if len(s.loops) > 1 {
			// SO_REUSEPORT lets any process of the same user join the
			// port, and the kernel would then hand it some of our
			// clients. Binding once without it first fails, as with
			// --loops 1, if anyone holds the port; and once our
			// sockets are bound, the same check fails for any other
			// gyre serve.
			var err error
			if port, err = loopcount.ExclusivePort(s.loops[0].r, cfg.iface, port); err != nil {
				return fail(err)
			}
		}
		for i, l := range s.loops {
			sp := &servedPort{l: l}
			inner, err := newPoemFactory(cfg, p, l.r, poetry.WithServeObserver(sp.observe))
			if err != nil {
				return fail(err)
			}
			sp.inner = sp.wrapProxy(inner)
			lp, err := l.r.ListenTCP(net.JoinHostPort(cfg.iface, strconv.Itoa(port)), sp, poemListenOptions(cfg, p, opts)...)
			if err != nil {
				return fail(err)
			}
			if i == 0 {
				// The other loops share the port the first one got.
				port = lp.Addr().(*net.TCPAddr).Port
				addr = lp.Addr().String()
			}
			sp.log = l.handler.WithAttrs([]slog.Attr{slog.String("poem", p.name), slog.Int("port", port)})
			l.ports = append(l.ports, lp)
		}
		s.ports = append(s.ports, servingPort{name: p.name, addr: addr})
	}
	return s, nil
}

// listenEndpoint serves poem p on endpoint e on every loop and returns the
// port it serves. With several loops, a TCP or TLS port is first bound
// without SO_REUSEPORT (see sharedEndpointPort), and the loops then share
// it; a systemd socket is shared by duplicating it; a Unix socket path can
// be bound by one loop only (checked by serveConfig.check).
func (s *reactorServer) listenEndpoint(cfg serveConfig, p *poemSource, e reactor.ServerEndpoint, opts []reactor.ListenOption) (servingPort, error) {
	e, proxyOpts, err := proxyTLSEndpoint(cfg, e)
	if err != nil {
		return servingPort{}, err
	}
	if e, err = s.sharedEndpointPort(e); err != nil {
		return servingPort{}, err
	}
	port := servingPort{name: p.name}
	for i, l := range s.loops {
		sp := &servedPort{l: l}
		inner, err := newPoemFactory(cfg, p, l.r, poetry.WithServeObserver(sp.observe))
		if err != nil {
			return servingPort{}, err
		}
		sp.inner = sp.wrapProxy(inner, proxyOpts...)
		lp, err := e.Listen(l.r, sp, opts...)
		if err != nil {
			return servingPort{}, err
		}
		if i == 0 {
			port.addr = lp.Addr().String()
			_, port.unix = lp.Addr().(*net.UnixAddr)
		}
		sp.log = l.handler.WithAttrs([]slog.Attr{slog.String("poem", p.name), slog.String("listen", port.addr)})
		l.ports = append(l.ports, lp)
		if _, sp.noReset = lp.Addr().(*net.UnixAddr); sp.noReset {
			l.queueing(lp)
		}
	}
	return port, nil
}

// sharedEndpointPort checks, when several loops are to share e's TCP port
// through SO_REUSEPORT, that nobody else listens there, as for --port (see
// loopcount.ExclusivePort): without it a second gyre serve on the same endpoint, or
// a second endpoint of this one, would join the port and take some of its
// clients (serving them its own poem). It returns e with its port, the
// system's choice if e asked for port 0.
func (s *reactorServer) sharedEndpointPort(e reactor.ServerEndpoint) (reactor.ServerEndpoint, error) {
	if len(s.loops) < 2 || (e.Type != "tcp" && e.Type != "tcp6" && e.Type != "tls") {
		return e, nil
	}
	port, err := loopcount.ExclusivePort(s.loops[0].r, e.Interface, e.Port)
	if err != nil {
		return e, err
	}
	e.Port = port
	return e, nil
}

// resetOnExitSize is the size from which a fast poem's connections are
// armed to reset if gyre dies: a smaller poem leaves in one write, closed
// in the same turn, and arming it would cost every poem a system call.
const resetOnExitSize = 64 << 10

// poemListenOptions adds to opts what one poem's ports need. A poem that
// takes a while to send (a slow one; a large one) is served on
// connections that end with a reset if the process dies mid-poem (killed
// after --grace by systemd's TimeoutStopSec, out of memory, a crash):
// without it the kernel closes them cleanly and each client takes its
// part of a poem for the whole.
func poemListenOptions(cfg serveConfig, p *poemSource, opts []reactor.ListenOption) []reactor.ListenOption {
	if resetOnExit(cfg, p) {
		return append(opts[:len(opts):len(opts)], reactor.WithResetOnExit())
	}
	return opts
}

// resetOnExit says whether p's connections are armed to reset if gyre
// dies (see poemListenOptions).
func resetOnExit(cfg serveConfig, p *poemSource) bool {
	return cfg.slow || p.size >= resetOnExitSize
}

// newPoemFactory makes the poetry factory for one poem on one loop.
func newPoemFactory(cfg serveConfig, p *poemSource, clock reactor.Clock, opt poetry.ServerOption) (reactor.Factory, error) {
	switch {
	case cfg.slow:
		return poetry.NewSlowServerFactory(clock, p.data, cfg.numBytes, cfg.delay, opt), nil
	case p.file != nil:
		return poetry.NewFileServerFactory(p.file, opt)
	}
	return poetry.NewFastServerFactory(p.data, opt), nil
}

func (s *reactorServer) listening() []servingPort { return s.ports }

func (s *reactorServer) start() {
	errs := make(chan error, len(s.loops))
	for _, l := range s.loops {
		go func() {
			if len(s.loops) > 1 {
				// One loop per core: keep each loop on a thread of
				// its own, so that the loops do not take turns on one.
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			errs <- l.r.Run()
		}()
	}
	go func() {
		defer close(s.doneCh)
		for range s.loops {
			if err := <-errs; err != nil && s.runErr == nil {
				s.runErr = err
				// One loop failed: the server is broken, stop them all.
				for _, l := range s.loops {
					l.r.Stop()
				}
			}
		}
	}()
}

func (s *reactorServer) drain() int {
	counts := make(chan int, len(s.loops))
	asked := 0
	for _, l := range s.loops {
		if l.r.CallFromGoroutine(func() { counts <- l.drain() }) == nil {
			asked++
		}
	}
	inFlight := 0
	timeout := time.After(time.Second)
	for range asked {
		select {
		case n := <-counts:
			inFlight += n
		case <-timeout: // a loop this slow to answer is stuck; go on
			return inFlight
		}
	}
	return inFlight
}

// cut aborts the connections still open on every loop (each client reads
// a reset, and its record says why), then stops the loops. It waits at
// most a second for the loops to do it: a loop that does not answer is
// stuck, and the process exits anyway (the kernel then closes its
// sockets).
func (s *reactorServer) cut(why string) {
	done := make(chan struct{}, len(s.loops))
	asked := 0
	for _, l := range s.loops {
		if l.r.CallFromGoroutine(func() {
			l.cut(why)
			l.r.Stop()
			done <- struct{}{}
		}) == nil {
			asked++
		}
	}
	timeout := time.After(time.Second)
	for range asked {
		select {
		case <-done:
		case <-timeout:
			return
		}
	}
}

func (s *reactorServer) done() <-chan struct{} { return s.doneCh }
func (s *reactorServer) err() error            { return s.runErr }

func (s *reactorServer) buffers() []*logBuffer {
	var bufs []*logBuffer
	for _, l := range s.loops {
		bufs = append(bufs, l.buf)
	}
	return bufs
}

func (s *reactorServer) finish() serveTotals {
	var t serveTotals
	for _, l := range s.loops {
		l.report()
		t.served += l.served
		t.lost += l.lost
		t.refused += l.refused
		t.bytes += l.bytes
		t.cut += l.cutPoems
		t.poemFile += l.filePoems
		t.proxyRejected += l.proxyRejected
	}
	return t
}

// BuildProtocol admits a connection if --max-conns allows, and has the
// poem's factory build its protocol. A connection beyond --max-conns is
// aborted at once (see refuser), except on a port that cannot reset it,
// which stops accepting at the limit instead (see servequeue.go).
func (p *servedPort) BuildProtocol(addr net.Addr) reactor.Protocol {
	l := p.l
	if p.noReset {
		l.admitQueued()
	} else if !l.gate.acquire() {
		l.refused++
		l.stats.refuse()
		l.scheduleFlush()
		return &l.refuse
	}
	l.live++
	l.stats.open()
	l.holdAtLimit()
	return p.inner.BuildProtocol(addr)
}

// leave counts out a connection that BuildProtocol admitted, now ended:
// its place under --max-conns is free.
func (l *serveLoop) leave() {
	l.live--
	l.gate.release()
	l.releaseQueue()
}

// observe is called (on the loop) once per connection, when it ends: the
// counters and the client's log record.
func (p *servedPort) observe(s poetry.Served) {
	l := p.l
	l.leave()
	s.Err = l.cutReasonFor(s.Err)
	cut := l.cutReason != nil && s.Err == l.cutReason
	if s.Err == nil {
		l.served++
	} else {
		l.lost++
	}
	switch {
	case cut:
		l.cutPoems++
	case s.Err != nil && lostReason(s.Err, false) == lostPoemFile:
		l.filePoems++
	}
	l.bytes += s.Bytes
	l.stats.observe(s, cut)
	if l.perClient {
		logServed(p.log, s)
		// A burst of clients (ten thousand slow ones ending together)
		// is handed over in slices, so the loop's buffer stays small.
		if l.unflushed++; l.unflushed >= flushRecords {
			l.flush()
		} else {
			l.scheduleFlush()
		}
	}
	if l.draining && l.live == 0 {
		l.r.Stop()
	}
}

// logServed logs the record of one client: when it ended, and its peer,
// bytes, duration and outcome (the poem and the port are the handler's).
// It is the only logging done per client; see logHandler for its cost.
func logServed(h slog.Handler, s poetry.Served) {
	rec := slog.NewRecord(s.Start.Add(s.Duration), slog.LevelInfo, "served", 0)
	rec.AddAttrs(
		slog.Any("peer", s.Peer),
		slog.Int64("bytes", s.Bytes),
		slog.Duration("duration", s.Duration),
		slog.String("outcome", s.Outcome()),
	)
	h.Handle(context.Background(), rec)
}

// drain stops accepting on every port and hands the log over (so that
// the records of the clients already served come before the server's
// "stopping"); the loop stops once its last client has been served. It
// returns the number of clients in flight.
func (l *serveLoop) drain() int {
	l.draining = true
	for _, p := range l.ports {
		p.StopListening()
	}
	l.report()
	l.srv.sink.flush(l.buf)
	if l.live == 0 {
		l.r.Stop()
	}
	return l.live
}

// scheduleFlush makes sure a flush is coming: a timer is set by the first
// record after a flush, not by every record.
//
// The timer is kept and rearmed once it has run, so that a busy server's
// flushes allocate nothing; a flush made early (enough records) leaves it
// pending, and it then finds little or nothing to do.
func (l *serveLoop) scheduleFlush() {
	if l.flushTimer != nil && l.flushTimer.Active() {
		return
	}
	reactor.Reschedule(l.r, &l.flushTimer, flushEvery, l.flushFn)
}

// flush reports what happened since the last flush and hands the log to
// the writer.
func (l *serveLoop) flush() {
	l.unflushed = 0
	l.report()
	if !l.srv.sink.flush(l.buf) {
		l.scheduleFlush() // the writer is behind: try again later
	}
}

// report logs the refusals and the dropped records not yet reported.
func (l *serveLoop) report() {
	if n := l.refused - l.refusedLogged; n > 0 {
		l.refusedLogged = l.refused
		l.logger.Warn("refused connections beyond --max-conns",
			slog.Int64("refused", n), slog.Int64("total", l.refused), slog.Int("max_conns", l.srv.cfg.maxConns))
	}
	if n := l.buf.takeDropped() + l.srv.sink.takeLost(); n > 0 {
		l.logger.Warn("log records dropped: the log writer is behind or failing", slog.Int64("dropped", n))
	}
}

// flushingHandler is the reactor's logger: the loop's handler, and a
// flush soon after each record (the reactor logs on its loop only, and
// rarely).
type flushingHandler struct {
	slog.Handler
	l *serveLoop
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if h.l.r != nil {
		h.l.scheduleFlush()
	}
	return err
}

// gate counts the connections open against --max-conns: on the loop
// alone, or across loops through an atomic.
type gate struct {
	max    int64
	n      int64
	shared *atomic.Int64
}

func (g *gate) acquire() bool {
	if g.shared != nil {
		if g.shared.Add(1) > g.max {
			g.shared.Add(-1)
			return false
		}
		return true
	}
	if g.n >= g.max {
		return false
	}
	g.n++
	return true
}

// force admits one more whatever the limit: a connection that could not
// be refused (see servequeue.go).
func (g *gate) force() {
	if g.shared != nil {
		g.shared.Add(1)
		return
	}
	g.n++
}

// full says whether the limit is reached.
func (g *gate) full() bool {
	if g.shared != nil {
		return g.shared.Load() >= g.max
	}
	return g.n >= g.max
}

func (g *gate) release() {
	if g.shared != nil {
		g.shared.Add(-1)
		return
	}
	g.n--
}
