package reactor

import (
	"errors"
	"time"
)

// ConnectUnix connects to the Unix stream socket at path and, once
// connected, runs a protocol from factory on the connection: ConnectTCP
// for a local socket, with the same Connector, callbacks and timeout
// (the connection is a *Conn; its Peer is a *net.UnixAddr naming path).
// A path nobody listens on fails with a *ConnectError wrapping
// ECONNREFUSED (ENOENT when there is no such file). A listener whose queue
// of connections not yet accepted is full fails the attempt at once, as
// with Go's net, rather than within the timeout: EAGAIN on Linux,
// ECONNREFUSED elsewhere.
func (r *Reactor) ConnectUnix(path string, factory ClientFactory, timeout time.Duration) *Connector {
	r.checkLoop("ConnectUnix")
	mustHaveFactory(path, factory)
	c := &Connector{r: r, clock: r, factory: factory, addr: path, timeout: timeout, unixPath: path}
	if path == "" {
		c.state = Connecting
		c.attempt++
		c.callFactory(func() { c.factory.StartedConnecting(c) })
		c.failLater(c.attempt, errors.New("empty Unix socket path"))
		return c
	}
	c.Connect()
	return c
}
