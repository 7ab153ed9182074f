package main

import (
	"context"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

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

	gate     gate
	live     int // connections open
	draining bool

	served, lost, refused, bytes int64
	refusedLogged                int64

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
			buf:       &logBuffer{limit: logBufferLimit},
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
		// The reactor's own records (a panic in a callback, running out
		// of descriptors) go into the loop's log too, and bring a flush.
		r, err := reactor.New(reactor.WithLogger(slog.New(flushingHandler{h, l})), reactor.WithLoops(cfg.loops))
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
		// accept, which matters in a burst of ten thousand connects.
		opts = append(opts, reactor.WithNoDelay())
	}
	for j, p := range poems {
		port := 0
		if cfg.port != 0 {
			port = cfg.port + j
		}
		var addr string
		for i, l := range s.loops {
			sp := &servedPort{l: l}
			inner, err := newPoemFactory(cfg, p, l.r, poetry.WithServeObserver(sp.observe))
			if err != nil {
				return fail(err)
			}
			sp.inner = inner
			lp, err := l.r.ListenTCP(net.JoinHostPort(cfg.iface, strconv.Itoa(port)), sp, opts...)
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

func (s *reactorServer) cut() {
	for _, l := range s.loops {
		l.r.Stop() // the connections still open are lost with the loop
	}
}

func (s *reactorServer) done() <-chan struct{} { return s.doneCh }
func (s *reactorServer) err() error            { return s.runErr }

func (s *reactorServer) finish() serveTotals {
	var t serveTotals
	for _, l := range s.loops {
		l.report()
		s.sink.flush(l.buf, true)
		t.served += l.served
		t.lost += l.lost
		t.refused += l.refused
		t.bytes += l.bytes
	}
	return t
}

// BuildProtocol admits a connection if --max-conns allows, and has the
// poem's factory build its protocol. A nil protocol makes the reactor
// close the connection at once.
func (p *servedPort) BuildProtocol(addr net.Addr) reactor.Protocol {
	l := p.l
	if !l.gate.acquire() {
		l.refused++
		l.scheduleFlush()
		return nil
	}
	l.live++
	return p.inner.BuildProtocol(addr)
}

// observe is called (on the loop) once per connection, when it ends: the
// counters and the client's log record.
func (p *servedPort) observe(s poetry.Served) {
	l := p.l
	l.live--
	l.gate.release()
	if s.Err == nil {
		l.served++
	} else {
		l.lost++
	}
	l.bytes += s.Bytes
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
	l.srv.sink.flush(l.buf, false)
	if l.live == 0 {
		l.r.Stop()
	}
	return l.live
}

// scheduleFlush makes sure a flush is coming: a timer is set by the first
// record after a flush, not by every record.
func (l *serveLoop) scheduleFlush() {
	if l.flushTimer == nil {
		l.flushTimer = l.r.CallLater(flushEvery, l.flushFn)
	}
}

// flush reports what happened since the last flush and hands the log to
// the writer.
func (l *serveLoop) flush() {
	if l.flushTimer != nil {
		l.flushTimer.Cancel()
		l.flushTimer = nil
	}
	l.unflushed = 0
	l.report()
	if !l.srv.sink.flush(l.buf, false) {
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
	if n := l.buf.takeDropped(); n > 0 {
		l.logger.Warn("log records dropped: the log writer is behind", slog.Int64("dropped", n))
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

func (g *gate) release() {
	if g.shared != nil {
		g.shared.Add(-1)
		return
	}
	g.n--
}
