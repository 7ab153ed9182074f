package reactor

import (
	"errors"
	"net"
	"os"
	"strconv"
	"time"

	"gyre/deferred"
	"gyre/internal/sock"
)

// Port is a listening TCP socket: the descriptor that accepts connections
// and builds a protocol for each through its factory (Twisted's tcp.Port).
// ListenTCP makes one.
type Port struct {
	r       *Reactor
	fd      int
	factory Factory
	addr    net.Addr // *net.TCPAddr, or *net.UnixAddr for a Unix socket
	iface   string   // the host as given, for messages

	// unlink is the socket file a Unix port removes when it stops
	// listening ("" for the others, and for a socket it did not create);
	// unlinkID is that file as bind made it (see removeSocketFile).
	unlink   string
	unlinkID os.FileInfo
	// wrap, when set, turns each accepted connection into something more
	// before its protocol starts (TLS).
	wrap func(c *Conn, proto Protocol) Protocol

	scratch sock.SockaddrBuf
	peer    sock.Addr

	listening bool
	closed    bool
	paused    bool          // PauseAccepting: watched for nothing until ResumeAccepting
	noDelay   bool          // WithNoDelay
	reset     bool          // WithResetOnExit
	inherits  bool          // accepted sockets inherit what was set on the listener for them (see applyToListener)
	backoff   time.Duration // current EMFILE back-off, 0 when accepting normally
	quota     int           // connections the next wake-up accepts at most (see acceptBatch)
	full      int           // wake-ups in a row that used the whole quota
	retry     *DelayedCall
	resume    func()

	// An accepted connection the backend cannot watch yet (its descriptor
	// is above the backend's limit), held until a lower one is free.
	holding  bool
	held     int
	heldPeer sock.Addr
}

// ListenOption configures ListenTCP.
type ListenOption func(*listenConfig)

type listenConfig struct {
	reusePort bool
	backlog   int
	mode      os.FileMode // ListenUnix
	noDelay   bool        // WithNoDelay: TCP_NODELAY on accepted connections
	reset     bool        // WithResetOnExit

	handshakeTimeout time.Duration // ListenTLS
}

// WithReusePort sets SO_REUSEPORT on the listening socket, so that several
// reactors, each on its own goroutine (and so its own core), can listen on
// the same address: the kernel spreads the incoming connections between
// them. Every socket sharing the port must set it.
func WithReusePort() ListenOption {
	return func(c *listenConfig) { c.reusePort = true }
}

// WithNoDelay turns Nagle's algorithm off (TCP_NODELAY) on every accepted
// connection, as SetNoDelay(true) would, but without a system call per
// connection where the system can do without one: on Linux it is set
// once on the listening socket, which each accepted socket copies (except
// on a socket systemd passed, which is systemd's to keep: there it is set
// on each). A
// protocol's own SetNoDelay(true) is then free. For servers of small
// timed writes (the slow poetry server) that accept in bursts.
func WithNoDelay() ListenOption {
	return func(c *listenConfig) { c.noDelay = true }
}

// WithResetOnExit makes the connections of a port end with a reset if the
// process dies while they are open (killed, crashed, out of memory), as
// an AbortConnection would: without it the kernel closes them cleanly, and
// a peer that takes the end of the stream for the end of a message (a
// poetry client) takes part of one for the whole. Each socket carries
// SO_LINGER 0 from the start (on Linux the listening socket does, and the
// accepted ones inherit it, at no cost per connection; elsewhere, and on a
// socket systemd passed, it is set on each); a clean end (LoseConnection,
// or the peer's) turns it off first, at one system call, and then goes as
// usual, while an end by error keeps the reset. A Unix socket has no
// reset: the option does nothing there.
func WithResetOnExit() ListenOption {
	return func(c *listenConfig) { c.reset = true }
}

// WithBacklog sets the listen backlog (default: the system's maximum, see
// ListenTCP). An n of 0 or less means the default.
func WithBacklog(n int) ListenOption {
	return func(c *listenConfig) { c.backlog = n }
}

// acceptBatch bounds the connections accepted per wake-up, so that a flood
// of connects cannot starve the connections already open (Twisted adapts a
// similar number).
const acceptBatch = 128

// How many connections a wake-up accepts adapts, as Twisted's
// numberAccepts does: a wake-up that found the queue empty (EAGAIN) after
// n connections accepts at most n (at least one) the next time, and after
// fullStreak wake-ups in a row that used their whole quota it doubles, up
// to acceptBatch. A server woken for one connection at a time (the usual
// case: each wake-up comes as soon as a client connects) then makes about
// one accept4 per connection instead of two, the second finding the queue
// empty. Connections left in the queue are not lost: the listening socket
// stays readable and the next wait returns at once.
const fullStreak = 4

// EMFILE back-off: the first retry comes after acceptBackoffMin, each
// further one doubles up to acceptBackoffMax.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = 200 * time.Millisecond
)

// ListenTCP starts listening on addr ("host:port"; an empty host means
// every IPv4 interface, as Twisted's listenTCP; port 0 lets the system
// choose, Port.Addr tells which) and serves each connection with a protocol
// from factory.
//
// The socket is non-blocking, has SO_REUSEADDR (a restarted server can
// listen again at once), and a backlog of /proc/sys/net/core/somaxconn
// (4096 when that cannot be read), so that thousands of simultaneous
// connects wait in the queue instead of being dropped. A host name is
// resolved here, blocking, IPv4 first: listening is done at start-up.
//
// Accepting is done in batches of up to 128 per wake-up, with accept4 where
// the system has it. When the process runs out of descriptors (EMFILE,
// ENFILE) the port stops accepting for a few milliseconds, then retries,
// doubling the pause up to 200 ms: pending connections wait in the backlog
// instead of making the loop spin, and accepting resumes once descriptors
// are free. The first failure of such an episode is logged (at Warn), and
// the recovery. A backend that cannot watch every descriptor (select has a
// ceiling) is treated the same way: a connection accepted on a descriptor above it is
// moved to a free lower one if there is one, and otherwise held (not
// dropped) while the port backs off, until one is free.
//
// It fails with a *ListenError, whose message is Twisted's CannotListenError
// ("Couldn't listen on localhost:10000: [Errno 98] Address already in
// use.") and which wraps the errno. ListenTCP may be called before Run.
func (r *Reactor) ListenTCP(addr string, factory Factory, opts ...ListenOption) (*Port, error) {
	r.checkLoop("ListenTCP")
	var cfg listenConfig
	for _, o := range opts {
		o(&cfg)
	}
	if factory == nil {
		return nil, &ListenError{Path: addr, Err: errors.New("nil factory")}
	}
	t, err := parseListenAddr(addr)
	if err != nil {
		return nil, err
	}
	fd, err := sock.Socket(t.sa.Domain(), sock.Stream)
	if err != nil {
		return nil, t.err(err)
	}
	fail := func(call string, err error) (*Port, error) {
		sock.Close(fd)
		return nil, t.sysErr(call, err)
	}
	if err := sock.SetReuseAddr(fd); err != nil {
		return fail("setsockopt", err)
	}
	if cfg.reusePort {
		if err := sock.SetReusePort(fd); err != nil {
			return fail("setsockopt", err)
		}
	}
	if err := cfg.applyToListener(fd); err != nil {
		return fail("setsockopt", err)
	}
	if err := sock.Bind(fd, t.sa.Sockaddr()); err != nil {
		return fail("bind", err)
	}
	backlog := cfg.backlog
	if backlog <= 0 {
		backlog = sock.ListenBacklog()
	}
	if err := sock.Listen(fd, backlog); err != nil {
		return fail("listen", err)
	}
	p, err := r.newPort(fd, factory, t.host)
	if err != nil {
		return fail("register", err)
	}
	cfg.applyToPort(p, sock.NoDelayInherited && sock.LingerInherited)
	return p, nil
}

// applyToListener sets on a listening socket what its accepted sockets
// inherit, where they do (see WithNoDelay, WithResetOnExit).
func (cfg *listenConfig) applyToListener(fd int) error {
	if cfg.noDelay && sock.NoDelayInherited {
		if err := sock.SetNoDelay(fd, true); err != nil {
			return err
		}
	}
	if cfg.reset && sock.LingerInherited {
		return sock.ListenerAbortOnClose(fd)
	}
	return nil
}

// applyToPort tells the port what to do to each connection it accepts;
// inherits says whether applyToListener set it on the listening socket.
func (cfg *listenConfig) applyToPort(p *Port, inherits bool) {
	p.noDelay, p.reset, p.inherits = cfg.noDelay, cfg.reset, inherits
}

// newPort makes a Port of fd, a listening socket (non-blocking, close on
// exec), and watches it. The caller closes fd if it fails.
func (r *Reactor) newPort(fd int, factory Factory, iface string) (*Port, error) {
	bound, err := sock.LocalNetAddr(fd)
	if err != nil {
		return nil, os.NewSyscallError("getsockname", err)
	}
	p := &Port{r: r, fd: fd, factory: factory, addr: bound, iface: iface}
	p.resume = p.retryAccept
	if err := r.AddReader(p); err != nil {
		return nil, err
	}
	p.listening = true
	return p, nil
}

// Addr returns the address the port listens on, with the port the system
// chose if 0 was asked for.
func (p *Port) Addr() net.Addr { return p.addr }

// Factory returns the port's factory.
func (p *Port) Factory() Factory { return p.factory }

// Fd returns the listening socket (-1 once closed).
func (p *Port) Fd() int {
	if p.closed {
		return -1
	}
	return p.fd
}

// LogPrefix names the port in logs.
func (p *Port) LogPrefix() string {
	switch a := p.addr.(type) {
	case *net.TCPAddr:
		return "Port " + strconv.Itoa(a.Port)
	case *net.UnixAddr:
		return "Unix port " + a.Name
	}
	return "Port"
}

// DoRead accepts up to a batch of connections and starts a protocol on
// each.
func (p *Port) DoRead() error {
	if p.quota == 0 {
		p.quota = acceptBatch
	}
	for n := range p.quota {
		if !p.listening || p.paused { // a protocol built below stopped or paused the port
			return nil
		}
		fd, err := sock.Accept(p.fd, &p.scratch, &p.peer)
		if err != nil {
			switch sock.ClassifyAccept(err) {
			case sock.AcceptStop:
				p.quota, p.full = max(n, 1), 0
				return nil
			case sock.AcceptSkip:
				// The connection died in the queue, or the network
				// under it: the next one may be fine.
				continue
			case sock.AcceptBackOff:
				p.backOff(os.NewSyscallError("accept", err))
				return nil
			}
			return os.NewSyscallError("accept", err)
		}
		fd, err = p.fit(fd)
		if err != nil {
			// Every descriptor the backend can watch is taken: keep
			// this connection for later and stop accepting, so that
			// the next ones wait in the listen queue.
			p.holding, p.held, p.heldPeer = true, fd, p.peer
			p.backOff(err)
			return nil
		}
		p.recovered()
		p.serve(fd, p.peer)
	}
	if p.full++; p.full >= fullStreak {
		p.quota, p.full = min(2*p.quota, acceptBatch), 0
	}
	return nil
}

// fit returns fd if the backend can watch it, else a duplicate on the
// lowest free descriptor if the backend can watch that one (fd is closed).
// It fails, keeping fd open, when no descriptor the backend can watch is
// free.
func (p *Port) fit(fd int) (int, error) {
	err := p.r.canWatch(fd)
	if err == nil {
		return fd, nil
	}
	low, derr := sock.DupLow(fd)
	if derr != nil {
		return fd, err
	}
	if p.r.canWatch(low) != nil {
		sock.Close(low)
		return fd, err
	}
	sock.Close(fd)
	return low, nil
}

// recovered ends a back-off episode, if one was going on.
func (p *Port) recovered() {
	if p.backoff != 0 {
		p.backoff = 0
		p.r.log().Info("accepting connections again", "system", p.LogPrefix())
	}
}

// serve builds the protocol for a new connection and starts it.
func (p *Port) serve(fd int, peer sock.Addr) {
	c := &Conn{r: p.r, fd: int32(fd), peer: peer.StreamAddr()}
	if p.noDelay {
		c.initNoDelay(p.inherits)
	}
	if p.reset {
		if !p.inherits {
			sock.SetAbortOnClose(fd)
		}
		c.flags |= fResetOnExit
	}
	proto := p.r.buildProtocol(p.factory, c.Peer(), p)
	if proto == nil {
		sock.Close(fd)
		return
	}
	if p.wrap != nil {
		proto = p.wrap(c, proto)
	}
	c.start(proto)
}

// backOff stops accepting for a while after running out of descriptors
// (err says how; it is logged for the first failure of an episode).
func (p *Port) backOff(err error) {
	if p.backoff == 0 {
		p.backoff = acceptBackoffMin
		p.r.log().Warn("cannot accept connections, backing off and retrying",
			"system", p.LogPrefix(), "error", err)
	} else {
		p.backoff = min(2*p.backoff, acceptBackoffMax)
	}
	p.r.RemoveReader(p)
	p.parked(true)
	p.retry = p.r.CallLater(p.backoff, p.resume)
}

func (p *Port) retryAccept() {
	p.retry = nil
	if !p.listening || p.paused { // paused: ResumeAccepting retries
		return
	}
	if p.holding {
		fd, err := p.fit(p.held)
		if err != nil {
			p.held = fd
			p.backOff(err)
			return
		}
		p.holding = false
		p.recovered()
		p.serve(fd, p.heldPeer)
		if !p.listening || p.paused { // the protocol stopped or paused the port
			return
		}
	}
	p.parked(false)
	if err := p.r.AddReader(p); err != nil {
		p.r.log().Error("cannot watch listening port", "system", p.LogPrefix(), "error", err)
		p.close()
	}
}

// parked holds the port in the loop's held set while it is watched for
// nothing (backing off), so that the shutdown still closes it.
func (p *Port) parked(on bool) { p.r.hold(p, on) }

// StopListening closes the listening socket: no new connections are
// accepted (those already accepted go on). The returned Deferred has fired
// (with nil) by the time it is returned, since closing a socket is
// immediate; it is a Deferred so that code written for Twisted, which
// waits for it, reads the same.
func (p *Port) StopListening() *deferred.Deferred {
	p.close()
	return deferred.Succeed(nil)
}

func (p *Port) close() {
	if p.closed {
		return
	}
	p.listening = false
	p.paused = false // a closed port is not paused: it will not accept again
	if p.retry != nil {
		p.retry.Cancel()
		p.retry = nil
	}
	p.r.RemoveReader(p)
	p.parked(false)
	if p.holding {
		p.holding = false
		sock.Close(p.held)
	}
	if p.unlink != "" {
		// Before the close: while the socket is open its inode stays
		// allocated, so a socket file bound at the path since (after
		// ours was removed from under us) cannot have its number and be
		// taken for ours.
		removeSocketFile(p.unlink, p.unlinkID)
	}
	sock.Close(p.fd)
	p.closed = true
}

// ConnectionLost is called by the reactor when it drops the port (it
// stopped, or accept failed in a way that cannot be retried): the socket
// is closed.
func (p *Port) ConnectionLost(reason error) {
	if !p.closed && !errors.Is(reason, ErrConnectionLost) {
		p.r.log().Error("listening port lost", "system", p.LogPrefix(), "error", reason)
	}
	p.close()
}
