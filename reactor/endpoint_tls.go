package reactor

import (
	"errors"
	"net"
	"strconv"
	"time"
)

// errTLSEndpoint is the error of tls: endpoints until the TLS transport
// is in.
var errTLSEndpoint = errors.New("tls endpoints are not available yet")

func listenTLSEndpoint(_ *Reactor, e ServerEndpoint, _ Factory, _ ...ListenOption) (*Port, error) {
	return nil, &ListenError{Interface: e.Interface, Port: e.Port, Err: errTLSEndpoint}
}

func connectorTLS(_ *Reactor, e ClientEndpoint, _ ClientFactory, _ time.Duration) (*Connector, error) {
	return nil, &ConnectError{Addr: net.JoinHostPort(e.Host, strconv.Itoa(e.Port)), Err: errTLSEndpoint}
}
