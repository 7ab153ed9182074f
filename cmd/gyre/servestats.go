package main

import (
	"errors"
	"sync/atomic"
	"time"

	"gyre/deferred"
	"gyre/poetry"
	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// loopStats is what one serving loop counts for --metrics. The loop is its
// only writer; the metrics handler reads it at scrape time from another
// goroutine, hence atomics: an uncontended atomic add per counter is the
// whole cost per poem, with no lock and no allocation. Each loop has its
// own loopStats (allocated apart, padded), so loops never write the same
// cache line. Without --metrics a loop's stats are nil and every method
// returns at once.
type loopStats struct {
	_        [64]byte
	served   atomic.Int64
	lost     [len(lostReasons)]atomic.Int64
	refused  atomic.Int64
	bytes    atomic.Int64
	inFlight atomic.Int64
	rejected [len(rejectReasons)]atomic.Int64
	duration histogramCounts
	lag      histogramCounts
	_        [64]byte
}

// lostReasons are the values of the reason label of poems lost, a fixed
// set so that the series are bounded (see lostReason).
//
// There is no reason for a client that closed before the end: the poetry
// servers are half-closeable (a client may shut its sending side and go
// on reading), so a client's close only ends the reading side, the
// server writes on, and the client's kernel answers with a reset: a
// connection_error. A label value that never occurs would promise an
// operator a distinction gyre cannot make.
var lostReasons = [...]string{"cut", "tls", "poem_file", "connection_error"}

// Indexes in lostReasons.
const (
	lostCut = iota
	lostTLS
	lostPoemFile
	lostConnection
)

// lostReason sorts why a poem was lost (Served.Err; cut says gyre cut it)
// into one of lostReasons. The split matters to an operator: a cut (the
// grace over, a second signal) and a poem file that shrank or could not
// be read are gyre's side, worth an alert; a failed TLS connection and a
// reset (a client that closed early among them) are the clients' or the
// network's.
//
// The servers hand their errors over unwrapped, or, for a file's read
// error, in the one *deferred.Failure the transfer failed with, so a type
// switch sorts them without a walk down a chain; the walk (errors.Is,
// errors.AsType) is for an error someone wrapped. It matters because the
// walk allocates on a *reactor.TLSError (its Unwrap returns a new slice),
// and a storm of failed handshakes is exactly when the loop must not.
func lostReason(err error, cut bool) int {
	if cut {
		return lostCut
	}
	switch e := err.(type) {
	case *reactor.TLSError:
		return lostTLS
	case *poetry.ShortFileError:
		return lostPoemFile
	case *deferred.Failure:
		if te, ok := e.Unwrap().(*reactor.TransferError); ok && fileReadError(te) {
			return lostPoemFile
		}
	}
	if _, ok := errors.AsType[*reactor.TLSError](err); ok {
		return lostTLS
	}
	if _, ok := errors.AsType[*poetry.ShortFileError](err); ok {
		return lostPoemFile
	}
	if te, ok := errors.AsType[*reactor.TransferError](err); ok && fileReadError(te) {
		return lostPoemFile
	}
	// Everything else ended the connection under the poem: a reset, a
	// broken pipe, a timeout, or an end of stream before the poem was
	// whole (poetry.ErrClientClosed: how a reset that lands during a
	// sendfile(2) can look, see fileReadError).
	return lostConnection
}

// fileReadError says whether a file transfer failed on the file's side:
// a transfer stopped by its connection wraps ErrProducerStopped, any
// other error is the read's. Only the read-and-write path can tell: on
// the sendfile(2) path one system call reads the file and writes the
// socket, and its error (EIO from the disk, or ECONNRESET) is taken for
// the connection's, so a file that fails there is counted as a
// connection_error.
func fileReadError(te *reactor.TransferError) bool {
	return !errors.Is(te.Err, reactor.ErrProducerStopped)
}

// rejectReasons are the values of the reason label of PROXY protocol
// rejections (proxyproto.Reason).
var rejectReasons = [...]string{"missing", "malformed", "timeout", "refused", "other"}

// Bucket bounds, in seconds for the exposition and in nanoseconds for the
// loop. Serve durations run from a fast poem on loopback (~100 µs) to a
// slow poem (seconds to minutes); timer lag is healthy under a millisecond.
var (
	durationBounds = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}
	lagBounds      = []float64{0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}
)

// maxBuckets bounds the bucket arrays (the bounds above, plus +Inf).
const maxBuckets = 20

// histogramCounts is a histogram the loop fills with atomic adds: counts
// per bucket (not cumulative; the collector sums them) and the sum.
type histogramCounts struct {
	bounds []int64 // upper bounds in nanoseconds
	counts [maxBuckets]atomic.Int64
	sumNs  atomic.Int64
}

func (h *histogramCounts) init(bounds []float64) {
	h.bounds = make([]int64, len(bounds))
	for i, b := range bounds {
		h.bounds[i] = int64(b * float64(time.Second))
	}
}

func (h *histogramCounts) observe(d time.Duration) {
	ns := int64(d)
	i := 0
	for i < len(h.bounds) && ns > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(ns)
}

func newLoopStats() *loopStats {
	s := &loopStats{}
	s.duration.init(durationBounds)
	s.lag.init(lagBounds)
	return s
}

// open counts a connection admitted.
func (s *loopStats) open() {
	if s != nil {
		s.inFlight.Add(1)
	}
}

// refuse counts a connection refused beyond --max-conns.
func (s *loopStats) refuse() {
	if s != nil {
		s.refused.Add(1)
	}
}

// observe counts a connection that ended after its poem began; cut says
// that gyre cut it (sv.Err is then the cut's reason).
func (s *loopStats) observe(sv poetry.Served, cut bool) {
	if s == nil {
		return
	}
	s.inFlight.Add(-1)
	if sv.Err == nil {
		s.served.Add(1)
	} else {
		s.lost[lostReason(sv.Err, cut)].Add(1)
	}
	s.bytes.Add(sv.Bytes)
	s.duration.observe(sv.Duration)
}

// cutBeforeHeader counts a connection cut by the shutdown while its PROXY
// protocol header was pending: lost to the cut, with no poem begun (no
// bytes, no duration).
func (s *loopStats) cutBeforeHeader() {
	if s == nil {
		return
	}
	s.inFlight.Add(-1)
	s.lost[lostCut].Add(1)
}

// reject counts a connection aborted for want of a PROXY protocol header.
func (s *loopStats) reject(err error) {
	if s == nil {
		return
	}
	s.inFlight.Add(-1)
	reason := proxyproto.Reason(err)
	for i, r := range rejectReasons {
		if r == reason {
			s.rejected[i].Add(1)
			return
		}
	}
}

// lagProbeEvery is the period of the timer that measures how late the
// loop runs its due timers.
const lagProbeEvery = 250 * time.Millisecond

// startLagProbe schedules, on the loop, a timer that records how late it
// fires and schedules itself again: the loop's lag, as the metrics show
// it. It runs on the loop and stops with it.
func (s *loopStats) startLagProbe(clock reactor.Clock) {
	if s == nil {
		return
	}
	var due time.Time
	var call *reactor.DelayedCall
	var tick func()
	tick = func() {
		s.lag.observe(max(clock.Now().Sub(due), 0))
		due = clock.Now().Add(lagProbeEvery)
		call.Rearm(lagProbeEvery, tick) // the same timer: no allocation
	}
	due = clock.Now().Add(lagProbeEvery)
	call = clock.CallLater(lagProbeEvery, tick)
}
