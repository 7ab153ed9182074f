package reactor

import (
	"log/slog"
	"time"
)

// Option configures a reactor in New (functional options, as in gnet).
type Option func(*config)

type config struct {
	backend         string
	backendSet      bool
	logger          *slog.Logger
	signals         bool
	readBufferSize  int
	loops           int
	shutdownTimeout time.Duration
	debug           *bool // WithDebug; nil: GYRE_DEBUG decides
	poolSize        int   // WithGoroutinePool
	poolQueue       int
	poolSet         bool
	batched         bool // WithBatchedIO
	batchedSet      bool

	// signalHook, if set, is called by the signal handler after it has
	// acted on a signal (tests wait for it).
	signalHook func()
}

// BackendEnv is the environment variable New reads for the backend when no
// WithBackend option is given: GYRE_REACTOR=poll makes every reactor of
// the process wait with poll(2). An unknown name makes New fail.
const BackendEnv = "GYRE_REACTOR"

// DefaultReadBufferSize is the size of the buffer ReadBuffer returns unless
// WithReadBufferSize says otherwise (Twisted reads 64 KiB at a time too).
const DefaultReadBufferSize = 64 << 10

// WithBackend chooses how the reactor waits: "select", "poll", "epoll"
// (Linux) or "kqueue" (macOS, BSD). Backends lists what this system has.
// An unknown or unavailable name makes New fail with ErrUnknownBackend.
// Without this option New uses GYRE_REACTOR if it is set (see
// BackendEnv), else DefaultBackend.
func WithBackend(name string) Option {
	return func(c *config) { c.backend, c.backendSet = name, true }
}

// WithLogger sets where the reactor logs: panics recovered from callbacks
// ("Unhandled Error" with the traceback, at level Error) and signals
// received (at level Debug, so quiet by default). The default is
// slog.Default() at the time of logging. NewTracebackHandler prints these
// records the way Twisted does.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithSignalHandling makes SIGINT and SIGTERM stop the reactor cleanly, as
// Twisted's reactor.run() does by default. It is an option, not the default,
// because signal handling belongs to the program, not to a library.
//
// The handlers are installed by New, not by Run, so that the program is
// protected from the moment the reactor exists: a signal that arrives
// between New and Run does not kill the process (Go's default) but stops
// the reactor as soon as it runs, once the CallWhenRunning functions have
// run and before it waits for anything. A program that prints "ready"
// before Run can therefore be stopped cleanly by whoever reads the line.
// The default behaviour comes back when Run returns, or with Close for a
// reactor that will not run; until then the signals are the reactor's, even
// while the program does other work before Run.
//
// A SIGINT ignored when the process started (a background job of a shell
// script) stays ignored, as under Twisted; SIGTERM is always taken.
//
// Only the first signal acts. A second one, while the shutdown waits for the
// Deferreds of Before-shutdown triggers (a server letting its clients
// finish), is ignored: the wait ends when they fire or after
// WithShutdownTimeout (30 s by default). A program that wants a second
// Ctrl-C to cut the wait short handles the signals itself (os/signal) and
// calls Stop, then ends its own triggers' Deferreds.
func WithSignalHandling() Option {
	return func(c *config) { c.signals = true }
}

// WithReadBufferSize sets the size of the buffer ReadBuffer returns.
// It bounds the datagrams a UDP port takes too: one larger than the
// buffer is dropped, never delivered cut short (UDPPort.TruncatedDatagrams
// counts them, and the port logs the first). The default holds the
// largest UDP datagram (65507 bytes of data over IPv4, 65527 over IPv6).
func WithReadBufferSize(n int) Option {
	return func(c *config) { c.readBufferSize = n }
}

// WithShutdownTimeout bounds how long the shutdown waits for the Deferreds
// returned by Before-shutdown triggers (default DefaultShutdownTimeout);
// after it the shutdown goes on, and says so in the log. Zero or less
// does not mean the default, nor no limit: the shutdown then waits only
// for the loop's next turn.
func WithShutdownTimeout(d time.Duration) Option {
	return func(c *config) { c.shutdownTimeout = d }
}

// WithLoops says that the reactor is one of n loops the program runs at
// once (several reactors serving one port with WithReusePort, say). When
// there are as many loops as processors for goroutines (GOMAXPROCS) none
// is spare, and the epoll backend then avoids blocking system calls on a
// busy loop, which would make the Go scheduler hand processors between
// threads. The default is 1; New fails on less, as no program runs no
// loops (a zero is a count gone wrong, not a request for the default). It
// is a hint read once, in New: reactors share nothing with each other.
func WithLoops(n int) Option {
	return func(c *config) { c.loops = n }
}
