package reactor

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"gyre/internal/sock"
)

// ConnectorState is where a Connector is in its life.
type ConnectorState uint8

const (
	// Disconnected: not connected and not trying (before an attempt,
	// after one failed, after the connection ended).
	Disconnected ConnectorState = iota
	// Connecting: resolving the name or waiting for connect(2).
	Connecting
	// Connected: the protocol is running.
	Connected
)

func (s ConnectorState) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Connected:
		return "connected"
	}
	return "disconnected"
}

// Connector is one outgoing TCP connection, from the attempt to the end
// (Twisted's tcp.Connector). ConnectTCP makes one and starts it; Connect
// starts it again after it has failed or ended, which is how a
// reconnecting client retries.
type Connector struct {
	r       *Reactor // nil for a connector made by NewConnector
	clock   Clock    // runs the timeout and the deferred failure reports
	dialFn  func(*Attempt)
	fakeT   Transport // the transport a dialFn attempt succeeded with
	factory ClientFactory
	dest    HostPortAddr
	addr    string // as given
	timeout time.Duration

	state   ConnectorState
	conn    *Conn        // while connecting (socket) and connected
	timer   *DelayedCall // the connect timeout
	attempt uint64       // counts attempts, so a late DNS answer for an old one is ignored
	literal netip.Addr   // the host when it is an IP literal

	unixPath string // ConnectUnix: the socket's path (dest is unused)

	// made, when set, is told of the protocol once ConnectionMade has
	// returned, or of the failure of a ConnectionMade that panicked
	// (ConnectEndpoint's Deferred).
	made func(p Protocol, panicked error)
	// wrap, when set, turns the connection into something more before
	// its protocol starts (TLS).
	wrap func(c *Conn, proto Protocol) Protocol
}

// ConnectTCP connects to addr ("host:port"; an empty host means this
// machine, 127.0.0.1) and, once connected, runs a
// protocol from factory on the connection. It returns at once; the
// factory's StartedConnecting has been called by then, and
// ClientConnectionFailed (with a *ConnectError) or the protocol's
// ConnectionMade follows later, from the loop.
//
// An IP literal is connected to at once, on the calling goroutine (the loop
// or, before Run, the one that will run it). A name is resolved on a
// goroutine of its own with the system's resolver, which hands the answer
// back through CallFromGoroutine, so the loop never waits for DNS; the first
// IPv4 address is used if there is one (servers bound to 127.0.0.1 are
// found through "localhost"), else the first address.
//
// The connect is non-blocking: the socket is watched for writability and
// SO_ERROR says how it went. timeout bounds the whole attempt, resolution
// included (0 means no limit but the kernel's, which is minutes; Twisted's
// default is 30 seconds: DefaultConnectTimeout).
//
// A nil factory panics at the call, naming addr, as it does with
// ConnectUnix, ConnectTLS and ConnectTCPContext: they have no error to
// return it in. (ClientEndpoint.Dial and Connect return it as an error.)
func (r *Reactor) ConnectTCP(addr string, factory ClientFactory, timeout time.Duration) *Connector {
	r.checkLoop("ConnectTCP")
	c := &Connector{r: r, clock: r, factory: factory, addr: addr, timeout: timeout}
	c.start()
	return c
}

// NewConnector returns a Connector for addr whose attempts are made by dial
// instead of a socket, and starts its first attempt: it is how a double of
// the reactor (reactortest.Reactor) hands out connectors that behave as
// the reactor's own do towards the factory and the code holding them
// (StartedConnecting, ClientConnectionFailed with a *ConnectError, the
// timeout on clock, Transport, StopConnecting, Disconnect, Connect
// again). dial is called once per attempt, on the caller's goroutine, and
// decides its outcome, then or later, through the Attempt. A panic in a
// factory callback reaches the caller, as with task.Clock.
func NewConnector(clock Clock, addr string, factory ClientFactory, timeout time.Duration, dial func(*Attempt)) *Connector {
	c := &Connector{clock: clock, dialFn: dial, factory: factory, addr: addr, timeout: timeout}
	c.start()
	return c
}

// newConnector makes the connector of a TCP address without starting it;
// the error is that of a malformed address.
func newConnector(r *Reactor, addr string, factory ClientFactory, timeout time.Duration) (*Connector, error) {
	c := &Connector{r: r, clock: r, factory: factory, addr: addr, timeout: timeout}
	return c, c.parse()
}

// start parses the address and makes the first attempt.
func (c *Connector) start() {
	mustHaveFactory(c.addr, c.factory)
	if err := c.parse(); err != nil {
		c.failInput(err)
		return
	}
	c.Connect()
}

// mustHaveFactory panics if factory is nil. It is a programming error,
// told where it was made: found in the loop, it would be a nil call with
// no word of which connect, after the connection was made.
func mustHaveFactory(addr string, factory ClientFactory) {
	if factory == nil {
		panic("reactor: connecting to " + strconv.Quote(addr) + " with a nil ClientFactory")
	}
}

// failInput reports a malformed address through the factory's callbacks,
// like any failure, so that callers have one way to hear about it.
func (c *Connector) failInput(err error) {
	c.state = Connecting
	c.attempt++
	c.callFactory(func() { c.factory.StartedConnecting(c) })
	c.failLater(c.attempt, err)
}

// parse reads the destination from the address.
func (c *Connector) parse() error {
	addr := c.addr
	host, port, err := net.SplitHostPort(addr)
	if err == nil {
		c.dest.Host = host
		c.dest.Port, err = strconv.Atoi(port)
		if err == nil && (c.dest.Port < 1 || c.dest.Port > 65535) {
			err = errors.New("port out of range")
		}
		if err != nil {
			err = &net.AddrError{Err: "invalid port", Addr: addr}
		}
	} else {
		c.dest.Host = addr
	}
	if ip, perr := netip.ParseAddr(c.dest.Host); perr == nil {
		c.literal = ip
	} else if c.dest.Host == "" {
		// No host: this machine, as for Python's sockets (and the
		// tutorial's ":10000").
		c.literal = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return err
}

// DefaultConnectTimeout is Twisted's default timeout for connectTCP.
const DefaultConnectTimeout = 30 * time.Second

// Destination returns the address being connected to, as given (the host
// may be a name): Twisted's getDestination.
func (c *Connector) Destination() net.Addr {
	if c.unixPath != "" {
		return &net.UnixAddr{Name: c.unixPath, Net: "unix"}
	}
	d := c.dest
	return &d
}

// State returns the connector's state.
func (c *Connector) State() ConnectorState { return c.state }

// Factory returns the connector's factory.
func (c *Connector) Factory() ClientFactory { return c.factory }

// Clock returns the clock its timeout runs on: the reactor that made it,
// or the clock given to NewConnector. A factory that schedules retries
// uses it when it was given no clock of its own.
func (c *Connector) Clock() Clock { return c.clock }

// Transport returns the connection while connected, else nil: the
// transport the factory's protocol was given, a *TLSConn for a TLS
// connection (ConnectTLS, or after StartTLS), so that closing or aborting
// it goes through TLS as the protocol's own close would.
func (c *Connector) Transport() Transport {
	if c.state != Connected {
		return nil
	}
	if c.fakeT != nil {
		return c.fakeT
	}
	if c.conn == nil {
		return nil
	}
	if l, ok := c.conn.proto.(*tlsLower); ok {
		return (*TLSConn)(l)
	}
	return c.conn
}

// Connect starts a new attempt. It does nothing unless the connector is
// Disconnected.
func (c *Connector) Connect() {
	if c.state != Disconnected {
		return
	}
	c.state = Connecting
	c.attempt++
	attempt := c.attempt
	c.callFactory(func() { c.factory.StartedConnecting(c) })
	if c.state != Connecting || c.attempt != attempt {
		return // StartedConnecting stopped it
	}
	if c.timeout > 0 {
		c.timer = c.clock.CallLater(c.timeout, func() {
			c.timer = nil
			if c.attempt == attempt {
				c.fail(ErrConnectTimeout)
			}
		})
	}
	if c.dialFn != nil {
		c.dialFn(&Attempt{c: c, n: attempt})
		return
	}
	if c.unixPath != "" {
		sa, err := sock.UnixSockaddr(c.unixPath)
		if err != nil {
			c.failLater(attempt, err)
			return
		}
		conn := &Conn{r: c.r, flags: fConnecting, peer: &net.UnixAddr{Name: c.unixPath, Net: "unix"}}
		c.dial(conn, unix.AF_UNIX, sa)
		return
	}
	if c.literal.IsValid() {
		c.dialIP(c.literal)
		return
	}
	c.resolve(attempt)
}

// resolve looks the host up on a goroutine and dials the answer on the
// loop.
func (c *Connector) resolve(attempt uint64) {
	host := c.dest.Host
	timeout := c.timeout
	r := c.r
	go func() {
		ctx := context.Background()
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		ip, err := ResolveHost(ctx, host)
		r.CallFromGoroutine(func() {
			if c.attempt != attempt || c.state != Connecting {
				return // stopped, timed out, or superseded meanwhile
			}
			if err != nil {
				c.fail(err)
				return
			}
			c.dialIP(ip)
		})
	}()
}

// dial creates the socket and starts a non-blocking connect to ip. The
// outcome is learnt when the socket is writable (connectReady), even when
// connect(2) succeeds at once, so that the protocol never starts inside
// ConnectTCP.
func (c *Connector) dialIP(ip netip.Addr) {
	var peer sock.Addr
	peer.FromAddrPort(netip.AddrPortFrom(ip, uint16(c.dest.Port)))
	conn := &Conn{r: c.r, flags: fConnecting, peer: peer.TCPAddr()}
	c.dial(conn, peer.Domain(), peer.Sockaddr())
}

// dial connects conn's new socket (of domain) to sa.
func (c *Connector) dial(conn *Conn, domain int, sa unix.Sockaddr) {
	conn.needExtra().connector = c
	fd, err := sock.Socket(domain, sock.Stream)
	if err != nil {
		c.failLater(c.attempt, err)
		return
	}
	conn.fd = int32(fd)
	err = sock.Connect(fd, sa)
	if err != nil && err != sock.EINPROGRESS {
		sock.Close(fd)
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			err = os.NewSyscallError("connect", err)
		}
		c.failLater(c.attempt, err)
		return
	}
	c.conn = conn
	conn.sync() // watch for writability
	if conn.flags&fClosed != 0 {
		c.conn = nil
		c.failLater(c.attempt, conn.reason())
	}
}

// connectReady is DoWrite of a connecting socket: connect(2) has finished.
func (c *Connector) connectReady(conn *Conn) {
	if err := sock.PendingError(int(conn.fd)); err != nil {
		conn.shut(endError, err)
		c.conn = nil
		c.fail(err)
		return
	}
	c.stopTimer()
	proto := c.r.buildProtocol(c.factory, conn.Peer(), conn)
	if c.conn != conn || c.state != Connecting {
		return // BuildProtocol stopped the attempt
	}
	if proto == nil {
		c.fail(ErrNoProtocol)
		return
	}
	conn.flags &^= fConnecting
	c.state = Connected
	inner := proto
	if c.wrap != nil {
		proto = c.wrap(conn, proto)
	}
	panicked := conn.start(proto)
	if c.made != nil {
		c.made(inner, panicked)
	}
}

// connectFailed is called when the reactor drops a connecting socket (it
// stopped, or the fd went bad).
func (c *Connector) connectFailed(conn *Conn, reason error) {
	if c.conn == conn {
		c.conn = nil
	}
	if c.state == Connecting {
		c.fail(reason)
	}
}

// connectionLost is called after the protocol's ConnectionLost.
func (c *Connector) connectionLost(conn *Conn, reason error) {
	if c.conn != conn || c.state != Connected {
		return
	}
	c.conn = nil
	c.state = Disconnected
	c.callFactory(func() { c.factory.ClientConnectionLost(c, reason) })
}

// StopConnecting abandons the attempt in progress; the factory's
// ClientConnectionFailed is called before it returns (as in Twisted) with a
// *ConnectError wrapping ErrConnectCancelled. It does nothing unless the
// connector is connecting.
func (c *Connector) StopConnecting() {
	c.fail(ErrConnectCancelled)
}

// Disconnect stops an attempt in progress, or loses the connection once
// connected (LoseConnection: what is buffered is still sent).
func (c *Connector) Disconnect() {
	switch c.state {
	case Connecting:
		c.StopConnecting()
	case Connected:
		if t := c.Transport(); t != nil {
			t.LoseConnection()
		}
	}
}

// fail ends the attempt in progress, closing its socket, and tells the
// factory. It does nothing if no attempt is in progress.
func (c *Connector) fail(err error) {
	if c.state != Connecting {
		return
	}
	c.stopTimer()
	if conn := c.conn; conn != nil {
		c.conn = nil
		conn.shut(endError, err)
		conn.flags |= fNotified
	}
	c.state = Disconnected
	var ce *ConnectError
	if !errors.As(err, &ce) {
		ce = &ConnectError{Addr: c.addr, Err: err}
	}
	c.callFactory(func() { c.factory.ClientConnectionFailed(c, ce) })
}

// failLater reports a failure found inside ConnectTCP or Connect from the
// loop, never from inside the caller: like Twisted, which reports them
// with callLater(0).
func (c *Connector) failLater(attempt uint64, err error) {
	c.clock.CallLater(0, func() {
		if c.attempt == attempt {
			c.fail(err)
		}
	})
}

func (c *Connector) stopTimer() {
	if c.timer != nil {
		c.timer.Cancel()
		c.timer = nil
	}
}

// callFactory runs a factory callback, logging a panic.
// (A connector made by NewConnector lets the panic through, to the test.)
func (c *Connector) callFactory(f func()) {
	if c.r == nil {
		f()
		return
	}
	c.r.call(f)
}

// Attempt is one connection attempt of a Connector made by NewConnector:
// the double that made it settles it with Succeed or Fail, and reports the
// end of a connection it made with Lost.
type Attempt struct {
	c *Connector
	n uint64
}

// Connector returns the connector making the attempt.
func (a *Attempt) Connector() *Connector { return a.c }

// Pending reports whether the attempt is still the connector's current one
// and not settled: not succeeded, failed, timed out or stopped.
func (a *Attempt) Pending() bool { return a.c.attempt == a.n && a.c.state == Connecting }

// Succeed connects the attempt over t: the factory builds the protocol
// (BuildProtocol with t.Peer()), which is given t (MakeConnection) and told
// ConnectionMade; the connector is then Connected and its Transport is t.
// It returns the protocol, or nil if the attempt was no longer pending or
// the factory refused (the attempt then fails with ErrNoProtocol).
func (a *Attempt) Succeed(t Transport) Protocol {
	c := a.c
	if !a.Pending() {
		return nil
	}
	c.stopTimer()
	proto := c.factory.BuildProtocol(t.Peer())
	if !a.Pending() {
		return nil // BuildProtocol stopped the attempt
	}
	if proto == nil {
		c.fail(ErrNoProtocol)
		return nil
	}
	c.state = Connected
	c.fakeT = t
	proto.MakeConnection(t)
	proto.ConnectionMade()
	return proto
}

// Fail fails the attempt with err (ClientConnectionFailed gets a
// *ConnectError wrapping it), if it is still pending.
func (a *Attempt) Fail(err error) {
	if a.Pending() {
		a.c.fail(err)
	}
}

// Lost reports that the connection Succeed made has ended (after the
// protocol's ConnectionLost): the connector is Disconnected again and the
// factory hears ClientConnectionLost(reason).
func (a *Attempt) Lost(reason error) {
	c := a.c
	if c.attempt != a.n || c.state != Connected || c.fakeT == nil {
		return
	}
	c.fakeT = nil
	c.state = Disconnected
	c.callFactory(func() { c.factory.ClientConnectionLost(c, reason) })
}
