package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// The metrics hooks of the hot path allocate nothing: a served poem is a
// handful of atomic adds on the loop's own counters.
func TestLoopStatsAllocs(t *testing.T) {
	s := newLoopStats()
	sv := poetry.Served{Bytes: 3014, Duration: 80 * time.Microsecond}
	lost := poetry.Served{Bytes: 10, Duration: time.Second, Err: poetry.ErrClientClosed}
	tlsFailed := poetry.Served{Bytes: 0, Duration: time.Second, Err: &reactor.TLSError{Op: "handshake", Err: io.ErrUnexpectedEOF}}
	reset := poetry.Served{Bytes: 100, Duration: time.Second, Err: &reactor.ConnectionLostError{Err: syscall.ECONNRESET}}
	fileFailed := poetry.Served{Bytes: 65536, Duration: time.Second, Err: deferred.NewFailure(&reactor.TransferError{Sent: 65536, Err: syscall.EIO})}
	rej := &net.OpError{Op: "read", Err: proxyproto.ErrTimeout}
	if n := testing.AllocsPerRun(1000, func() {
		s.open()
		s.observe(sv, false)
		s.open()
		s.observe(lost, false)
		s.open()
		s.observe(tlsFailed, false)
		s.open()
		s.observe(reset, false)
		s.open()
		s.observe(fileFailed, false)
		s.refuse()
		s.open()
		s.reject(rej)
	}); n != 0 {
		t.Errorf("%v allocations per round, want 0", n)
	}
	if s.served.Load() == 0 || s.lost[lostConnection].Load() == 0 || s.lost[lostTLS].Load() == 0 || s.lost[lostPoemFile].Load() == 0 || s.refused.Load() == 0 || s.inFlight.Load() != 0 {
		t.Errorf("counters: served %d lost %d, %d and %d refused %d in flight %d", s.served.Load(),
			s.lost[lostConnection].Load(), s.lost[lostTLS].Load(), s.lost[lostPoemFile].Load(), s.refused.Load(), s.inFlight.Load())
	}
	var nilStats *loopStats // without --metrics
	nilStats.open()
	nilStats.observe(sv, false)
	nilStats.reject(errors.New("x"))
}

func TestHistogramBuckets(t *testing.T) {
	var h histogramCounts
	h.init([]float64{0.001, 0.01})
	for _, d := range []time.Duration{time.Microsecond, time.Millisecond, 2 * time.Millisecond, time.Second} {
		h.observe(d)
	}
	if got := [3]int64{h.counts[0].Load(), h.counts[1].Load(), h.counts[2].Load()}; got != [3]int64{2, 1, 1} {
		t.Errorf("bucket counts %v, want [2 1 1] (a bound is inclusive)", got)
	}
	if h.sumNs.Load() != int64(time.Microsecond+3*time.Millisecond+time.Second) {
		t.Errorf("sum %d", h.sumNs.Load())
	}
}

func BenchmarkLoopStatsObserve(b *testing.B) {
	s := newLoopStats()
	sv := poetry.Served{Bytes: 3014, Duration: 80 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		s.open()
		s.observe(sv, false)
	}
}

// BenchmarkServeFast is W1 in miniature, in one process: a fast reactor
// server (one loop, logging every client into a discarded log) and 16
// blocking clients fetching the 3 KB poem, with and without the metrics
// counters. One op is one poem; the allocations are the whole process's
// (clients included), so compare the two cases, not the absolute figure.
func BenchmarkServeFast(b *testing.B) {
	for _, metrics := range []bool{false, true} {
		name := "metrics=off"
		if metrics {
			name = "metrics=on"
		}
		b.Run(name, func(b *testing.B) {
			benchServe(b, metrics)
		})
	}
}

func benchServe(b *testing.B, metrics bool) {
	poem, _ := poetry.Poem("library")
	srv := newLibraryServer(b, serveConfig{iface: "127.0.0.1", loops: 1, maxConns: 4096, grace: time.Second})
	if metrics {
		srv.enableStats()
	}
	srv.start()
	addr := srv.listening()[0].addr
	const clients = 16
	var wg sync.WaitGroup
	work := make(chan struct{}, clients)
	errs := make(chan error, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 8<<10)
			for range work {
				n, err := fetchInto(addr, buf)
				if err == nil && n != len(poem) {
					err = errors.New("short poem")
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	srv.drain()
	<-srv.done()
	srv.finish()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// fetchInto reads a whole poem from addr into buf, returning its size.
func fetchInto(addr string, buf []byte) (int, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	n := 0
	for {
		m, err := c.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil || n == len(buf) {
			return n, err
		}
	}
}

// Scrapes while a loop serves (in one process, so that -race watches the
// loop's writes and the collector's reads) see consistent counters, and the
// last one all the poems.
func TestMetricsWhileServing(t *testing.T) {
	poem, _ := poetry.Poem("library")
	srv := newLibraryServer(t, serveConfig{iface: "127.0.0.1", loops: 2, maxConns: 4096, grace: time.Second})
	reg := prometheus.NewRegistry()
	reg.MustRegister(&statsCollector{loops: srv.enableStats()})
	srv.start()
	addr := srv.listening()[0].addr
	const clients, each = 4, 25
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 8<<10)
			for range each {
				if n, err := fetchInto(addr, buf); err != nil || n != len(poem) {
					t.Errorf("poem of %d bytes, %v", n, err)
					return
				}
			}
		}()
	}
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		for range 20 {
			if _, err := reg.Gather(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	<-scraped
	srv.drain()
	<-srv.done()
	srv.finish()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var served, durations, inFlight float64
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "gyre_poems_served_total":
				served += m.GetCounter().GetValue()
			case "gyre_serve_duration_seconds":
				durations += float64(m.GetHistogram().GetSampleCount())
			case "gyre_connections_in_flight":
				inFlight += m.GetGauge().GetValue()
			}
		}
	}
	if served != clients*each || durations != clients*each || inFlight != 0 {
		t.Errorf("served %v, durations %v, in flight %v; want %d, %d, 0", served, durations, inFlight, clients*each, clients*each)
	}
}

// Every way a poem is lost has its reason, and one bounded set of them:
// what gyre cut is told apart from what the clients did.
func TestLostReason(t *testing.T) {
	reset := &net.OpError{Op: "read", Err: syscall.ECONNRESET}
	for _, tt := range []struct {
		err  error
		cut  bool
		want string
	}{
		{errors.New("cut: grace period over"), true, "cut"},
		// A close before the end is a connection's end like a reset.
		{poetry.ErrClientClosed, false, "connection_error"},
		{&reactor.TLSError{Op: "handshake", Err: errors.New("tls: bad certificate")}, false, "tls"},
		{fmt.Errorf("wrapped: %w", &reactor.TLSError{Op: "read", Err: io.ErrUnexpectedEOF}), false, "tls"},
		{&poetry.ShortFileError{Sent: 10, Size: 20}, false, "poem_file"},
		// What fileProtocol records when the poem's file fails a read.
		{deferred.NewFailure(&reactor.TransferError{Sent: 65536, Err: &os.PathError{Op: "read", Path: "poem.txt", Err: syscall.EIO}}), false, "poem_file"},
		{fmt.Errorf("wrapped: %w", &reactor.TransferError{Sent: 1, Err: io.ErrUnexpectedEOF}), false, "poem_file"},
		// A transfer its connection stopped is the connection's.
		{deferred.NewFailure(&reactor.TransferError{Sent: 1, Err: fmt.Errorf("%w: %w", reactor.ErrProducerStopped, reset)}), false, "connection_error"},
		{reset, false, "connection_error"},
		{reactor.ErrConnectionAborted, false, "connection_error"},
	} {
		if got := lostReasons[lostReason(tt.err, tt.cut)]; got != tt.want {
			t.Errorf("lostReason(%v, cut %v) = %s, want %s", tt.err, tt.cut, got, tt.want)
		}
	}
}

// /metrics tells a poem gyre cut (here the grace over) from one its
// client reset, in the reason label of gyre_poems_lost_total.
func TestMetricsLostByReason(t *testing.T) {
	srv := newLibraryServer(t, serveConfig{iface: "127.0.0.1", loops: 1, maxConns: 16, grace: time.Second, slow: true, numBytes: 10, delay: time.Hour})
	reg := prometheus.NewRegistry()
	reg.MustRegister(&statsCollector{loops: srv.enableStats()})
	srv.start()
	addr := srv.listening()[0].addr
	firstChunk := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(c, make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	leaves := firstChunk()
	stays := firstChunk()
	defer stays.Close()
	leaves.(*net.TCPConn).SetLinger(0)
	leaves.Close() // a reset
	lost := func(reason string) float64 {
		for _, f := range must(reg.Gather()) {
			if f.GetName() != "gyre_poems_lost_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				for _, lp := range m.GetLabel() {
					if lp.GetName() == "reason" && lp.GetValue() == reason {
						return m.GetCounter().GetValue()
					}
				}
			}
		}
		t.Fatalf("no gyre_poems_lost_total{reason=%q}", reason)
		return 0
	}
	for deadline := time.Now().Add(5 * time.Second); lost("connection_error") != 1; {
		if time.Now().After(deadline) {
			t.Fatal("the client that reset was never counted as connection_error")
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.drain()
	srv.cut("grace period over")
	<-srv.done()
	srv.finish()
	for _, reason := range lostReasons {
		want := 0.0
		if reason == "cut" || reason == "connection_error" {
			want = 1
		}
		if got := lost(reason); got != want {
			t.Errorf("gyre_poems_lost_total{reason=%q} %v, want %v", reason, got, want)
		}
	}
}

// A client that closes before the end of its poem (a plain close, no
// reset of its own) is a connection_error: the server takes its close for
// a half-close, writes on and meets the reset of the client's kernel. No
// reason is exported that gyre serve cannot tell apart.
func TestMetricsClientThatClosesIsAConnectionError(t *testing.T) {
	srv := newLibraryServer(t, serveConfig{iface: "127.0.0.1", loops: 1, maxConns: 16, grace: time.Second, slow: true, numBytes: 10, delay: 20 * time.Millisecond})
	reg := prometheus.NewRegistry()
	reg.MustRegister(&statsCollector{loops: srv.enableStats()})
	srv.start()
	defer func() {
		srv.drain()
		<-srv.done()
		srv.finish()
	}()
	c := startSlowClient(t, srv.listening()[0].addr)
	c.Close()
	lost := func() map[string]float64 {
		byReason := map[string]float64{}
		for _, f := range must(reg.Gather()) {
			if f.GetName() != "gyre_poems_lost_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				for _, lp := range m.GetLabel() {
					if lp.GetName() == "reason" {
						byReason[lp.GetValue()] = m.GetCounter().GetValue()
					}
				}
			}
		}
		return byReason
	}
	for deadline := time.Now().Add(5 * time.Second); lost()["connection_error"] != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("the client that closed was never counted as connection_error: %v", lost())
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := lost()
	for _, want := range []string{"cut", "tls", "poem_file", "connection_error"} {
		if _, ok := got[want]; !ok {
			t.Errorf("no gyre_poems_lost_total{reason=%q}", want)
		}
		delete(got, want)
	}
	if len(got) != 0 {
		t.Errorf("gyre_poems_lost_total has reasons gyre serve never gives: %v", got)
	}
}

// newLibraryServer makes (without starting it) a server of the embedded
// "library" poem configured by cfg, logging nowhere.
func newLibraryServer(tb testing.TB, cfg serveConfig) *reactorServer {
	tb.Helper()
	poem, _ := poetry.Poem("library")
	sink := newLogSink(io.Discard)
	tb.Cleanup(func() { sink.closeWithin(time.Second) })
	srv, err := newReactorServer(cfg, []*poemSource{{name: "library", data: poem, size: int64(len(poem))}}, sink, slog.LevelInfo)
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// must is v, or panics with err: for calls a test cannot go on without.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
