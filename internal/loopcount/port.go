package loopcount

import (
	"net"
	"strconv"

	"gyre/reactor"
)

// ExclusivePort listens on iface:port without SO_REUSEPORT and closes the
// socket at once, returning the port (the system's choice when port is 0).
// The loops share their port with SO_REUSEPORT, which would as well let
// any other server of the same user that sets it (a second gyre with
// --loops) join the port, and the kernel would then hand it some of their
// clients. Binding without it first fails, as with one loop, if anyone
// holds the port (the error is the one --loops 1 would give); once the
// loops' sockets are bound, the same check fails for any other server
// that makes it.
func ExclusivePort(r *reactor.Reactor, iface string, port int) (int, error) {
	probe, err := r.ListenTCP(net.JoinHostPort(iface, strconv.Itoa(port)), reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return nil }))
	if err != nil {
		return 0, err
	}
	port = probe.Addr().(*net.TCPAddr).Port
	probe.StopListening()
	return port, nil
}
