package reactor

import "time"

// The reactor's capabilities as small interfaces (Twisted's IReactorTime,
// IReactorTCP...), so that code needing only some of them takes just
// those, and runs on a double of the reactor in its tests
// (reactortest.Reactor) as on the real one. Clock is in clock.go.

// TCPDialer is the part of a reactor that makes outgoing TCP connections
// (Twisted's IReactorTCP.connectTCP). See Reactor.ConnectTCP for the
// contract.
type TCPDialer interface {
	ConnectTCP(addr string, factory ClientFactory, timeout time.Duration) *Connector
}

// ClientReactor is what a client of a network protocol needs of a
// reactor: time and outgoing connections. poetry.GetPoetry takes one.
type ClientReactor interface {
	Clock
	TCPDialer
}

var _ ClientReactor = (*Reactor)(nil)
