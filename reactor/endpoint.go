package reactor

import (
	"errors"
	"net"
	"strconv"

	"gyre/deferred"
)

// ListenEndpoint listens where the server endpoint description desc says
// (see ParseServerEndpoint) and serves each connection with a protocol
// from factory: Twisted's serverFromString(...).listen(factory). It
// returns the listening port. opts apply where they mean something
// (WithReusePort for tcp, tcp6 and tls; WithBacklog and WithMode are
// overridden by the description's own backlog= and mode=).
//
// A malformed description is an *EndpointError; a failure to listen is a
// *ListenError.
func ListenEndpoint(r *Reactor, desc string, factory Factory, opts ...ListenOption) (*Port, error) {
	e, err := ParseServerEndpoint(desc)
	if err != nil {
		return nil, err
	}
	return e.Listen(r, factory, opts...)
}

// Listen listens on the parsed endpoint (see ListenEndpoint).
func (e ServerEndpoint) Listen(r *Reactor, factory Factory, opts ...ListenOption) (*Port, error) {
	if e.Backlog > 0 {
		opts = append(opts, WithBacklog(e.Backlog))
	}
	switch e.Type {
	case "tcp", "tcp6":
		return r.ListenTCP(net.JoinHostPort(e.Interface, strconv.Itoa(e.Port)), factory, opts...)
	case "unix":
		if e.Mode != 0 {
			opts = append(opts, WithMode(e.Mode))
		}
		return r.ListenUnix(e.Path, factory, opts...)
	case "systemd":
		return listenSystemd(r, e, factory, opts...)
	case "tls":
		return listenTLSEndpoint(r, e, factory, opts...)
	}
	return nil, &EndpointError{Desc: e.String(), Msg: "unknown type " + strconv.Quote(e.Type)}
}

// ConnectEndpoint connects where the client endpoint description desc
// says (see ParseClientEndpoint) and runs a protocol from factory on the
// connection: Twisted's clientFromString(...).connect(factory). The
// Deferred it returns fires with the Protocol once its ConnectionMade has
// returned, or fails with the *ConnectError of the attempt (or the
// *EndpointError of a malformed description, or the failure of a
// ConnectionMade that panicked). Cancelling the Deferred
// before it fires abandons the attempt: it then fails with a
// *ConnectError wrapping ErrConnectCancelled.
//
// factory may be a plain Factory; if it is a ClientFactory its
// connection callbacks are called too.
func ConnectEndpoint(r *Reactor, desc string, factory Factory) *deferred.Deferred {
	e, err := ParseClientEndpoint(desc)
	if err != nil {
		return deferred.Fail(err)
	}
	return e.Connect(r, factory)
}

// Connect connects to the parsed endpoint (see ConnectEndpoint). A nil
// factory fails the Deferred at once, before anything is dialled.
func (e ClientEndpoint) Connect(r *Reactor, factory Factory) *deferred.Deferred {
	if factory == nil {
		return deferred.Fail(&ConnectError{Addr: e.String(), Err: errNilFactory})
	}
	ef := &endpointFactory{inner: factory}
	ef.client, _ = factory.(ClientFactory)
	var c *Connector
	d := deferred.NewWithCanceller(func(*deferred.Deferred) {
		if c != nil {
			c.StopConnecting()
		}
	})
	ef.d = d
	c, err := e.connector(r, ef)
	if err != nil {
		return deferred.Fail(err)
	}
	c.made = ef.made
	c.Connect()
	return d
}

// Dial starts connecting to the parsed endpoint with a ClientFactory, as
// ConnectTCP does, and returns the Connector (for clients that want its
// callbacks and its Transport rather than a Deferred). The error is that
// of an endpoint that cannot be used (a caCerts file that cannot be
// read, or a nil factory: nothing is dialled then); connection failures
// go to the factory.
func (e ClientEndpoint) Dial(r *Reactor, factory ClientFactory) (*Connector, error) {
	if factory == nil {
		return nil, &ConnectError{Addr: e.String(), Err: errNilFactory}
	}
	c, err := e.connector(r, factory)
	if err != nil {
		return nil, err
	}
	c.Connect()
	return c, nil
}

// EndpointDialer is what connects to client endpoints: *Reactor is one.
// Code written against ClientReactor (poetry.GetPoetry) asks for it when
// it is given an endpoint.
type EndpointDialer interface {
	DialEndpoint(e ClientEndpoint, factory ClientFactory) (*Connector, error)
}

// DialEndpoint is e.Dial(r, factory).
func (r *Reactor) DialEndpoint(e ClientEndpoint, factory ClientFactory) (*Connector, error) {
	return e.Dial(r, factory)
}

var _ EndpointDialer = (*Reactor)(nil)

// errNilFactory is the failure of a connect given no factory: the
// connection would be made, then dropped with a nil-pointer panic logged
// when the protocol was to be built.
var errNilFactory = errors.New("nil factory")

// connector makes the endpoint's Connector, not started.
func (e ClientEndpoint) connector(r *Reactor, f ClientFactory) (*Connector, error) {
	timeout := e.Timeout
	if timeout == 0 {
		timeout = DefaultConnectTimeout
	}
	switch e.Type {
	case "tcp":
		c, err := newConnector(r, net.JoinHostPort(e.Host, strconv.Itoa(e.Port)), f, timeout)
		if err != nil {
			return nil, &ConnectError{Addr: e.String(), Err: err}
		}
		return c, nil
	case "unix":
		if e.Path == "" {
			return nil, &ConnectError{Addr: e.String(), Err: errors.New("empty Unix socket path")}
		}
		return &Connector{r: r, clock: r, factory: f, addr: e.Path, timeout: timeout, unixPath: e.Path}, nil
	case "tls":
		return connectorTLS(r, e, f, timeout)
	}
	return nil, &EndpointError{Desc: e.String(), Msg: "unknown type " + strconv.Quote(e.Type)}
}

// endpointFactory is the ClientFactory ConnectEndpoint gives the
// connector: it builds protocols with the caller's factory, forwards the
// connection callbacks if that factory has them, and fires the Deferred.
type endpointFactory struct {
	inner  Factory
	client ClientFactory
	d      *deferred.Deferred
	fired  bool
}

func (f *endpointFactory) BuildProtocol(addr net.Addr) Protocol { return f.inner.BuildProtocol(addr) }

func (f *endpointFactory) StartedConnecting(c *Connector) {
	if f.client != nil {
		f.client.StartedConnecting(c)
	}
}

// ClientConnectionFailed fails the Deferred even when the caller's
// factory panics in its own ClientConnectionFailed (the connector
// contains the panic): the caller waiting on the Deferred must hear.
func (f *endpointFactory) ClientConnectionFailed(c *Connector, reason error) {
	defer func() {
		if !f.fired {
			f.fired = true
			f.d.Errback(reason)
		}
	}()
	if f.client != nil {
		f.client.ClientConnectionFailed(c, reason)
	}
}

func (f *endpointFactory) ClientConnectionLost(c *Connector, reason error) {
	if f.client != nil {
		f.client.ClientConnectionLost(c, reason)
	}
}

// made fires the Deferred: with the protocol, or with the failure of its
// ConnectionMade, whose panic ended the connection (a protocol whose
// connection is gone must not be handed over as connected).
func (f *endpointFactory) made(p Protocol, panicked error) {
	if f.fired {
		return
	}
	f.fired = true
	if panicked != nil {
		f.d.Errback(panicked)
		return
	}
	f.d.Callback(p)
}
