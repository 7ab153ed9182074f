package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"gyre/poetry"
	"gyre/reactor"
)

// Mode is one of the three ways of downloading.
type Mode int

// The download modes, in the order the tutorial presents them.
const (
	Blocking Mode = iota + 1 // one server after another, blocking sockets
	Async                    // all at once, a hand-written select loop
	Reactor                  // all at once, poetry.GetPoetry on a reactor
)

// Modes lists every mode, in the tutorial's order.
func Modes() []Mode { return []Mode{Blocking, Async, Reactor} }

// String returns the mode's name as the command line spells it.
func (m Mode) String() string {
	switch m {
	case Blocking:
		return "blocking"
	case Async:
		return "async"
	case Reactor:
		return "reactor"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads a mode name: "blocking", "async" or "reactor".
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (want blocking, async or reactor)", s)
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	// Started: the task began (it is connecting).
	Started EventKind = iota + 1
	// Received: Bytes more bytes of the poem arrived.
	Received
	// Finished: the task ended, with the poem (Err nil) or without.
	Finished
)

// Event is one thing that happened to one task.
type Event struct {
	Kind  EventKind
	Task  int            // 1 for the first address, as the tutorial counts
	Addr  poetry.Address // the task's server
	Bytes int            // Received: the size of the chunk
	Data  []byte         // Received: the chunk itself, valid only during the call
	At    time.Time      // when, by the Fetch clock
	Err   error          // Finished: why the task failed, nil if it did not
}

// Observer is told every Event of a run, one at a time, on the goroutine
// that called Fetch. It must not block for long: in the async and reactor
// modes every download waits while it runs.
type Observer func(Event)

// Result is the outcome of one task.
type Result struct {
	Task  int
	Addr  poetry.Address
	Poem  Buffer // everything received (empty with WithoutPoems); the whole poem when Err is nil
	Bytes int64  // how many bytes were received
	Err   error  // nil when the server sent the poem and closed cleanly
	Start time.Time
	End   time.Time
}

// Elapsed is how long the task took, from its start (connecting) to its
// end.
func (r Result) Elapsed() time.Duration { return r.End.Sub(r.Start) }

// ErrTimeout is wrapped by the error of a task that did not finish within
// WithTimeout.
var ErrTimeout = errors.New("timed out")

// Endpoints (Address.Endpoint: tls:, unix:, tcp:) are fetched in the
// reactor mode only: the async and blocking modes are the tutorial's
// plain TCP clients.

// ErrTooLarge is wrapped by the error of a task whose server sent more
// than WithMaxBytes allows.
var ErrTooLarge = errors.New("poem too large")

// ErrSelectLimit is wrapped by the error of an async task whose socket is
// beyond what select(2) can watch (descriptor FD_SETSIZE or more): the
// limit that poll and epoll were invented to lift. The async mode runs no
// more downloads at once than keeps their sockets below it, so this comes
// only when the process holds many other descriptors.
var ErrSelectLimit = errors.New("descriptor too large for select()")

// Option configures Fetch.
type Option func(*config)

type config struct {
	timeout  time.Duration
	observer Observer
	now      func() time.Time
	discard  bool
	maxOpen  int         // tasks under way at once (0: as the descriptor limit allows)
	maxBytes int64       // longest poem accepted (0: no bound)
	tls      *tls.Config // for tls: endpoints (nil: each endpoint's own)
}

// WithoutPoems keeps no poem: each Result has the number of bytes
// received, and Poem is nil. The observer still sees every chunk (in
// Event.Data), for a caller that writes the poems out as they come: a
// 1 GiB poem then costs no more memory than a 1 KiB one.
func WithoutPoems() Option {
	return func(c *config) { c.discard = true }
}

// WithTLSConfig sets the TLS configuration of tls: endpoints (its
// ServerName defaults to each endpoint's host). It takes the place of an
// endpoint's own caCerts=, which is then not read: gyre get refuses to be
// given both.
func WithTLSConfig(c *tls.Config) Option {
	return func(cfg *config) { cfg.tls = c }
}

// WithMaxBytes bounds each poem to n bytes (0: no bound). A server that
// sends more is not sending a poem, or not one anybody can hold: the task
// gets the first n bytes, then fails with an error wrapping ErrTooLarge,
// and its connection is closed. Without the bound, a poem kept in memory
// (the Result's, or a caller's that holds each poem until it is whole)
// grows as long as such a server sends.
func WithMaxBytes(n int64) Option {
	return func(c *config) { c.maxBytes = max(n, 0) }
}

// WithTimeout bounds each download, connecting included (0: no bound but
// the system's). A task that runs out fails with an error wrapping
// ErrTimeout.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithObserver sets the function told about every event.
func WithObserver(o Observer) Option {
	return func(c *config) { c.observer = o }
}

// WithClock sets where event times and Result times come from (default
// time.Now). Timeouts always run on the real clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Fetch downloads a poem from every address in the given mode and returns
// one Result per address, in the same order. A task that fails does not
// stop the others. Fetch returns an error only when the mode cannot run at
// all (an unknown mode, a reactor that cannot be created); a cancelled ctx
// fails the tasks still running with ctx's error, and Fetch returns those
// results with ctx.Err().
func Fetch(ctx context.Context, mode Mode, addrs []poetry.Address, opts ...Option) ([]Result, error) {
	cfg := config{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	r := &run{cfg: cfg, results: make([]Result, len(addrs))}
	for i, a := range addrs {
		if a.Endpoint != "" && mode != Reactor {
			return nil, fmt.Errorf("fetch: endpoint %q needs the reactor mode", a.Endpoint)
		}
		r.results[i] = Result{Task: i + 1, Addr: a}
	}
	var err error
	switch mode {
	case Blocking:
		fetchBlocking(ctx, r)
	case Async:
		fetchAsync(ctx, r)
	case Reactor:
		err = fetchReactor(ctx, r)
	default:
		return nil, fmt.Errorf("fetch: unknown mode %v", mode)
	}
	if err != nil {
		return nil, err
	}
	return r.results, ctx.Err()
}

// run is what every mode shares: the results being filled in and the
// events going out.
type run struct {
	cfg     config
	results []Result
}

func (r *run) emit(ev Event) {
	if r.cfg.observer != nil {
		r.cfg.observer(ev)
	}
}

// start marks task i as begun.
func (r *run) start(i int) {
	res := &r.results[i]
	res.Start = r.cfg.now()
	r.emit(Event{Kind: Started, Task: res.Task, Addr: res.Addr, At: res.Start})
}

// received adds a chunk to task i. Past WithMaxBytes it adds only what
// fits and returns the task's error: the caller ends the task with it.
func (r *run) received(i int, chunk []byte) error {
	res := &r.results[i]
	var err error
	if limit := r.cfg.maxBytes; limit > 0 && int64(len(chunk)) > limit-res.Bytes {
		chunk = chunk[:limit-res.Bytes]
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	res.Bytes += int64(len(chunk))
	if !r.cfg.discard {
		res.Poem.Write(chunk)
	}
	if len(chunk) > 0 {
		r.emit(Event{Kind: Received, Task: res.Task, Addr: res.Addr, Bytes: len(chunk), Data: chunk, At: r.cfg.now()})
	}
	return err
}

// finish ends task i with err (nil: the poem is complete).
func (r *run) finish(i int, err error) {
	res := &r.results[i]
	res.End = r.cfg.now()
	res.Err = err
	r.emit(Event{Kind: Finished, Task: res.Task, Addr: res.Addr, At: res.End, Err: err})
}

// timeoutError is the error of a task that ran out of time.
func timeoutError(d time.Duration) error {
	return fmt.Errorf("%w after %v", ErrTimeout, d)
}

// Reason is the part of a task's error worth a person's time, the same
// whichever mode produced it: "connection refused" rather than "dial tcp
// 127.0.0.1:1: connect: connection refused" or Twisted's "Connection was
// refused by other side: 111: Connection refused.".
func Reason(err error) string {
	var errno syscall.Errno
	var dnsErr *net.DNSError
	var addrErr *net.AddrError
	var tlsErr *reactor.TLSError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &tlsErr):
		return tlsErr.Error()
	case errors.Is(err, ErrTimeout):
		return err.Error()
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &dnsErr):
		return "cannot resolve " + dnsErr.Name + ": " + dnsErr.Err
	case errors.As(err, &addrErr):
		return addrErr.Err
	case errors.Is(err, reactor.ErrConnectionLost):
		return "connection lost"
	}
	return strings.TrimSuffix(err.Error(), ".")
}
