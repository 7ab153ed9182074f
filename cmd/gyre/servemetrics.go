package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
)

// gyre serve --metrics ADDR: an HTTP server, on goroutines of its own and
// never on a loop, with
//
//	/metrics  the Prometheus text exposition: per loop, poems served and
//	          lost, connections refused, PROXY protocol rejections, bytes
//	          sent, connections in flight, the serve duration histogram and
//	          the lag of due timers; for the process, the log records
//	          dropped, --max-conns, whether it is draining, the grace left
//	          to the poems in flight, and its build;
//	          plus the Go runtime's and the process's own metrics;
//	/healthz  200 "ok" while serving, 503 "draining" once a signal has
//	          stopped the listeners, so that a balancer's HTTP check takes
//	          the instance out while the poems in flight finish.
//
// Nothing is collected on the loops beyond the atomic adds of loopStats:
// the collector reads those counters when Prometheus scrapes.

// opsServer is the metrics and health endpoint of one gyre serve.
type opsServer struct {
	ln    net.Listener
	http  *http.Server
	drain drainState
	done  chan struct{}
}

// serve starts answering /metrics, with what stats collects, and
// /healthz. What net/http and the Prometheus handler have to complain of
// (an accept that failed, a scrape that could not be written) goes to
// gyre's log through say.
func (o *opsServer) serve(stats *statsCollector, say sayer) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		stats,
	)
	errLog := log.New(httpErrorLog(say), "", 0)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		Timeout:             5 * time.Second,
		MaxRequestsInFlight: 4,
		ErrorLog:            errLog,
	}))
	mux.HandleFunc("GET /healthz", o.healthz)
	o.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 2 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          errLog,
	}
	// One request per connection. The endpoint holds opsMaxConns
	// connections at most; kept alive, that many idle clients held every
	// slot for the idle timeout, the balancer's /healthz check waited in
	// the queue, failed, and took a healthy instance out. A scrape or a
	// check every few seconds pays one connection each, which is nothing.
	o.http.SetKeepAlivesEnabled(false)
	go func() {
		defer close(o.done)
		o.http.Serve(o.ln) // ends with ErrServerClosed at close
	}()
}

// httpErrorLog is the writer of the metrics server's error log: each line
// becomes a warning of gyre's log. Left to itself net/http writes to
// stderr directly, so a stderr nobody reads would hold the server's
// goroutine in write(2), and close, which waits for it, would never return.
type httpErrorLog sayer

func (say httpErrorLog) Write(p []byte) (int, error) {
	say(slog.LevelWarn, "metrics endpoint", slog.String("error", strings.TrimRight(string(p), "\n")))
	return len(p), nil
}

// Addr is where the endpoint listens.
func (o *opsServer) Addr() net.Addr { return o.ln.Addr() }

func (o *opsServer) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if o.drain.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "draining")
		return
	}
	fmt.Fprintln(w, "ok")
}

// setDraining turns /healthz unhealthy, and starts the countdown of
// the grace the poems in flight have left.
func (o *opsServer) setDraining(grace time.Duration) {
	if o != nil {
		o.drain.start(time.Now(), grace)
	}
}

// setCut says the grace is over: the poems still in flight are being cut.
func (o *opsServer) setCut() {
	if o != nil {
		o.drain.cut(time.Now())
	}
}

// close stops the endpoint, giving a scrape in progress a moment.
func (o *opsServer) close() {
	if o == nil {
		return
	}
	if o.http == nil { // never served
		o.ln.Close()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	o.http.Shutdown(ctx) // then cut whatever is left
	o.http.Close()
	<-o.done
}

// statsCollector turns the loops' counters, and the log's, into metrics
// at scrape time, with the settings an operator needs beside them.
type statsCollector struct {
	loops    []*loopStats
	log      *logSink    // nil: no log to count
	maxConns int         // --max-conns, across loops (0: not exported)
	drain    *drainState // the endpoint's (nil: not exported)
}

var (
	descServed = prometheus.NewDesc("gyre_poems_served_total",
		"Poems sent whole, the connection closed cleanly.", []string{"loop"}, nil)
	descLost = prometheus.NewDesc("gyre_poems_lost_total",
		"Poems begun but not sent whole, by reason: cut (gyre reset it: grace over, second signal; behind --proxy-protocol, a connection still waiting for its header counts here too), poem_file (the file shrank, or a read of it failed), tls (the TLS handshake or a record failed), connection_error (the connection failed under the poem: a reset, a broken pipe; a client that closes early is one).", []string{"loop", "reason"}, nil)
	descRefused = prometheus.NewDesc("gyre_connections_refused_total",
		"Connections reset as soon as accepted because --max-conns were open (a Unix socket refuses none: its clients wait in the listen queue).", []string{"loop"}, nil)
	descRejected = prometheus.NewDesc("gyre_proxy_rejected_total",
		"Connections aborted without a valid PROXY protocol header (--proxy-protocol).", []string{"loop", "reason"}, nil)
	descBytes = prometheus.NewDesc("gyre_bytes_sent_total",
		"Bytes of poems taken by the clients' sockets.", []string{"loop"}, nil)
	descInFlight = prometheus.NewDesc("gyre_connections_in_flight",
		"Connections admitted and not yet ended.", []string{"loop"}, nil)
	descDuration = prometheus.NewDesc("gyre_serve_duration_seconds",
		"Time from a poem's start (after the PROXY header, if any) to the end of its connection.", []string{"loop"}, nil)
	descLag = prometheus.NewDesc("gyre_loop_timer_lag_seconds",
		"How late the loop ran a due timer (a probe every 250ms).", []string{"loop"}, nil)
	descLogDropped = prometheus.NewDesc("gyre_log_records_dropped_total",
		"Log records that never reached stderr: dropped while the writer was behind (buffer full) or lost in a failed write.", nil, nil)
	descMaxConns = prometheus.NewDesc("gyre_connections_max",
		"The most connections open at once (--max-conns, shared by the loops); beyond it they are refused, or wait to be accepted on a Unix socket (one from systemd served by several loops may hold one more per other loop).", nil, nil)
	descDraining = prometheus.NewDesc("gyre_draining",
		"1 once a signal has stopped the listeners (the poems in flight may finish, /healthz answers 503), 0 while serving.", nil, nil)
	descGraceLeft = prometheus.NewDesc("gyre_grace_left_seconds",
		"Time the poems in flight have left before gyre cuts them with a reset: --grace while serving, counting down from the signal that starts the drain, 0 once the grace is over.", nil, nil)
	descBuildInfo = prometheus.NewDesc("gyre_build_info",
		"Always 1: gyre's version and the Go version that built it, in labels.", nil,
		prometheus.Labels{"version": version(), "goversion": runtime.Version()})
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descServed, descLost, descRefused, descRejected, descBytes, descInFlight, descDuration, descLag, descLogDropped, descMaxConns, descDraining, descGraceLeft, descBuildInfo} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	for i, s := range c.loops {
		loop := strconv.Itoa(i)
		counter(descServed, s.served.Load(), loop)
		for j, reason := range lostReasons {
			counter(descLost, s.lost[j].Load(), loop, reason)
		}
		counter(descRefused, s.refused.Load(), loop)
		for j, reason := range rejectReasons {
			counter(descRejected, s.rejected[j].Load(), loop, reason)
		}
		counter(descBytes, s.bytes.Load(), loop)
		ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(s.inFlight.Load()), loop)
		ch <- s.duration.metric(descDuration, durationBounds, loop)
		ch <- s.lag.metric(descLag, lagBounds, loop)
	}
	if c.log != nil {
		counter(descLogDropped, c.log.droppedTotal())
	}
	if c.maxConns > 0 {
		gauge(descMaxConns, float64(c.maxConns))
	}
	if c.drain != nil {
		gauge(descDraining, boolValue(c.drain.draining.Load()))
		gauge(descGraceLeft, c.drain.graceLeft(time.Now()).Seconds())
	}
	gauge(descBuildInfo, 1)
}

// boolValue is a gauge's value for b: 1 or 0.
func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// metric is a snapshot of h as a Prometheus histogram. The buckets are
// read one by one while the loop may add to them, so a scrape can see a
// count a few poems off from the sum: harmless at scrape granularity.
func (h *histogramCounts) metric(d *prometheus.Desc, bounds []float64, labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(bounds))
	var cum uint64
	for i, b := range bounds {
		cum += uint64(h.counts[i].Load())
		buckets[b] = cum
	}
	cum += uint64(h.counts[len(bounds)].Load())
	return prometheus.MustNewConstHistogram(d, cum, float64(h.sumNs.Load())/1e9, buckets, labels...)
}

// opsMaxConns bounds the --metrics endpoint's connections (Prometheus
// keeps one per scraper; a load balancer's health checks a few more). The
// default --max-conns leaves them their descriptors.
const opsMaxConns = 32

// listenOps opens the --metrics listener before the poems' ports, so that
// a bad address fails before anything is served; nil without --metrics.
// An address that cannot be read is a mistake on the command line (exit
// status 2); one that reads well but cannot be listened on (in use, not
// this machine's, a host that does not resolve) is a failure of the run
// (status 1), as for the poems' ports.
func listenOps(addr string) (*opsServer, error) {
	if addr == "" {
		return nil, nil
	}
	if err := checkOpsAddr(addr); err != nil {
		return nil, usageErrorf("--metrics %s: %v", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics %s: %v", addr, err)
	}
	// At most opsMaxConns connections at once: the others wait in the
	// listen queue. Unbounded, a flood of scrapers (each held open up to
	// IdleTimeout) took every descriptor, and the poems' ports could accept
	// no one.
	return &opsServer{ln: netutil.LimitListener(ln, opsMaxConns), done: make(chan struct{})}, nil
}

// checkOpsAddr says what is wrong with the form of a --metrics address:
// host:port, the port a number (or a service name) a TCP port can be.
func checkOpsAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}

// enableStats gives every loop its counters (before the loops start) and
// returns them, in loop order, for the collector.
func (s *reactorServer) enableStats() []*loopStats {
	stats := make([]*loopStats, len(s.loops))
	for i, l := range s.loops {
		l.stats = newLoopStats()
		stats[i] = l.stats
		l.r.CallWhenRunning(func() { l.stats.startLagProbe(l.r) })
	}
	return stats
}
