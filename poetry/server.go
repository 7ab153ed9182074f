package poetry

import (
	"errors"
	"net"
	"time"

	"gyre/reactor"
)

// The poetry servers: factories that serve one poem to every client and
// close the connection, which tells the client the poem is complete.
//
//   - FastServerFactory writes the whole poem at once (the tutorial's
//     twisted-server-1/fastpoetry.py);
//   - SlowServerFactory sends a few characters at a time on a fixed
//     schedule (the tutorial's slow server, on the reactor instead of
//     blocking sockets);
//   - FileServerFactory streams a poem file of any size with flow control
//     (sendfile(2) on Linux), never holding it in memory.
//
// Each can report every client it served to an observer
// (WithServeObserver), for a server's logs.

// Served is the record of one client served.
type Served struct {
	Peer     net.Addr
	Start    time.Time     // when the connection was made
	Duration time.Duration // from Start to its end
	// Bytes is how much of the poem the connection's socket took. It is
	// the poem's size when Err is nil.
	Bytes int64
	// Err is nil when the whole poem was sent and the connection closed
	// cleanly. Otherwise it says why it ended early: the connection's
	// error (a reset...), or ErrClientClosed if the client closed its end
	// before the poem was complete.
	Err error
}

// ErrClientClosed is the Served.Err of a client that closed the connection
// before the poem was complete.
var ErrClientClosed = errors.New("poetry: client closed the connection before the end of the poem")

// Outcome is "done" or "lost: " and the reason, for log lines.
func (s Served) Outcome() string {
	if s.Err == nil {
		return "done"
	}
	return "lost: " + s.Err.Error()
}

// ServerOption configures a server factory.
type ServerOption func(*serverConfig)

type serverConfig struct {
	observe    func(Served)
	noSendfile bool
	chunk      int
}

// WithServeObserver calls f with one Served record per client, when its
// connection ends (on the loop goroutine).
func WithServeObserver(f func(Served)) ServerOption {
	return func(c *serverConfig) { c.observe = f }
}

// WithoutSendfile makes a FileServerFactory read the file and write it,
// chunk by chunk, instead of using sendfile(2) (for comparison, and where
// the zero-copy path misbehaves).
func WithoutSendfile() ServerOption {
	return func(c *serverConfig) { c.noSendfile = true }
}

// WithChunkSize sets the read size of a FileServerFactory that does not
// use sendfile(2) (default reactor.DefaultChunkSize).
func WithChunkSize(n int) ServerOption {
	return func(c *serverConfig) { c.chunk = n }
}

func serverOptions(opts []ServerOption) serverConfig {
	var c serverConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// buffered returns how much of what was written still waits in t's buffer,
// when t can say (the reactor's TCP connections can).
func buffered(t reactor.Transport) int64 {
	if b, ok := t.(interface{ Buffered() int }); ok {
		return int64(b.Buffered())
	}
	return 0
}

// served makes the record of a connection that ended with reason, having
// had written bytes handed to it out of a poem of size bytes.
func served(t reactor.Transport, start, end time.Time, written, size int64, reason error) Served {
	s := Served{Peer: t.Peer(), Start: start, Duration: end.Sub(start)}
	s.Bytes = written - buffered(t)
	switch {
	case s.Bytes == size && errors.Is(reason, reactor.ErrConnectionDone):
	case errors.Is(reason, reactor.ErrConnectionDone):
		s.Err = ErrClientClosed
	default:
		s.Err = reason
	}
	return s
}
