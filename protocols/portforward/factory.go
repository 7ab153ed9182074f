package portforward

import (
	"net"
	"time"

	"gyre/reactor"
)

// Factory is the server factory of a port forwarder (Twisted's
// portforward.ProxyFactory): listen with it, and each connection accepted
// is relayed to Target.
//
//	f := &portforward.Factory{Reactor: r, Target: "127.0.0.1:10000"}
//	port, err := r.ListenTCP("127.0.0.1:8000", f)
type Factory struct {
	// Reactor connects to the target.
	Reactor *reactor.Reactor
	// Target is the address each accepted connection is relayed to.
	Target string
	// ConnectTimeout bounds the connection to the target
	// (reactor.DefaultConnectTimeout when 0).
	ConnectTimeout time.Duration
	// Ended, if set, is called once per accepted connection when its
	// relay is over: both sides have ended, or the target could not be
	// reached (target is then nil and err says why).
	Ended func(server, target *Side, err error)
}

// BuildProtocol builds the server side of a new relay.
func (f *Factory) BuildProtocol(net.Addr) reactor.Protocol {
	return &serverSide{f: f}
}

// serverSide is the accepted connection's Side: it stops reading until the
// target has answered, then links the two.
type serverSide struct {
	Side
	f         *Factory
	connector *reactor.Connector
	target    *Side
	ended     int
	reported  bool
}

func (s *serverSide) ConnectionMade() {
	s.Transport.PauseProducing() // nothing to relay to yet
	s.onLost = func(*Side) { s.sideEnded() }
	timeout := s.f.ConnectTimeout
	if timeout == 0 {
		timeout = reactor.DefaultConnectTimeout
	}
	s.connector = s.f.Reactor.ConnectTCP(s.f.Target, &targetFactory{server: s}, timeout)
}

// sideEnded counts the ends; the relay is over when both sides have ended,
// or when the client leaves before the target answered (the attempt is
// then abandoned).
func (s *serverSide) sideEnded() {
	s.ended++
	switch {
	case s.target == nil:
		s.connector.StopConnecting() // reports through ClientConnectionFailed
	case s.ended == 2:
		s.report(nil)
	}
}

func (s *serverSide) report(err error) {
	if s.reported {
		return
	}
	s.reported = true
	if s.f.Ended != nil {
		s.f.Ended(&s.Side, s.target, err)
	}
}

// targetFactory connects to the target for one server side.
type targetFactory struct {
	reactor.BaseClientFactory
	server *serverSide
}

func (t *targetFactory) BuildProtocol(net.Addr) reactor.Protocol {
	return &targetSide{server: t.server}
}

func (t *targetFactory) ClientConnectionFailed(_ *reactor.Connector, reason error) {
	s := t.server
	if !s.lost {
		// Nothing was relayed: the client gets a reset, not an empty
		// stream that would look like a complete one.
		s.Transport.AbortConnection()
	}
	s.report(reason)
}

// targetSide is the connection to the target.
type targetSide struct {
	Side
	server *serverSide
}

func (t *targetSide) ConnectionMade() {
	s := t.server
	if s.lost {
		t.Transport.LoseConnection() // the client left as we connected
		return
	}
	s.target = &t.Side
	t.onLost = func(*Side) { s.sideEnded() }
	link(&s.Side, &t.Side)
	s.Transport.ResumeProducing()
}
