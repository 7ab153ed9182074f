package portforward

import (
	"net"
	"time"

	"gyre/protocols/internal/loop"
	"gyre/reactor"
)

// Factory is the server factory of a port forwarder (Twisted's
// portforward.ProxyFactory): listen with it, and each connection accepted
// is relayed to Target.
//
//	f := &portforward.Factory{Reactor: r, Target: "127.0.0.1:10000"}
//	port, err := r.ListenTCP("127.0.0.1:8000", f)
type Factory struct {
	// Reactor connects to the target when the accepted connection does
	// not say which reactor it runs on (a test double's transport); it
	// may be nil otherwise. The target is connected on the accepting
	// connection's own reactor whatever this says: the two connections
	// are each other's producers and must share a loop, so one Factory
	// may serve the ports of several loops (WithReusePort).
	Reactor *reactor.Reactor
	// Target is the address each accepted connection is relayed to.
	Target string
	// ConnectTimeout bounds the connection to the target
	// (reactor.DefaultConnectTimeout when 0; a negative one sets no
	// limit but the kernel's, which is minutes, as ConnectTCP's 0 does).
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

// maxEarly bounds what a client may send before the target has answered:
// beyond it the client is no longer read from until the target answers.
const maxEarly = 64 << 10

// serverSide is the accepted connection's Side. Until the target has
// answered it keeps reading, into a buffer of at most maxEarly bytes (plus
// one read), and only pauses once that is full: a paused connection's end
// goes unseen, and a client that left (a reset) would have held two
// descriptors, and the attempt, until the connect timed out. Then it links
// the two and relays what it kept.
type serverSide struct {
	Side
	f         *Factory
	connector *reactor.Connector
	target    *Side
	early     []byte // what the client sent before the target answered
	earlyEOF  bool   // and whether it then shut its write side
	ended     int
	reported  bool
}

func (s *serverSide) ConnectionMade() {
	s.onLost = func(*Side) { s.sideEnded() }
	r := s.reactor()
	timeout := s.f.ConnectTimeout
	if timeout == 0 {
		timeout = reactor.DefaultConnectTimeout
	}
	s.connector = r.ConnectTCP(s.f.Target, &targetFactory{server: s}, timeout)
}

// reactor returns the loop to connect to the target on: the accepted
// connection's, else the Factory's. With neither it panics (the reactor
// contains it and resets the client) with what to set, rather than with
// a nil pointer.
func (s *serverSide) reactor() *reactor.Reactor {
	if r := loop.Of(s.Transport); r != nil {
		return r
	}
	if s.f.Reactor != nil {
		return s.f.Reactor
	}
	panic("portforward: the connection does not say which reactor it runs on, and the Factory has no Reactor: set Factory.Reactor")
}

// DataReceived relays data once the target has answered, and keeps it
// until then.
func (s *serverSide) DataReceived(data []byte) {
	if s.peer != nil {
		s.Side.DataReceived(data)
		return
	}
	s.early = append(s.early, data...)
	if len(s.early) >= maxEarly {
		s.Transport.PauseProducing() // resumed when the target answers
	}
}

// ReadConnectionLost passes the client's half-close through once the
// target has answered, and remembers it until then: a client that sends
// its request and shuts its write side (nc -N) is waiting for the answer.
func (s *serverSide) ReadConnectionLost() {
	if s.peer == nil && !s.lost {
		s.earlyEOF = true
		return
	}
	s.Side.ReadConnectionLost()
}

// linked relays to the target what the client sent before it answered,
// and its half-close, and reads from the client again.
func (s *serverSide) linked() {
	// The client reads again before the early data goes out: writing it
	// may fill the target's buffer, which then pauses the client (its
	// producer since link), and that pause must be the last word.
	if !s.earlyEOF {
		s.Transport.ResumeProducing()
	}
	if len(s.early) > 0 {
		s.Relayed += int64(len(s.early))
		s.peer.Transport.Write(s.early)
		s.early = nil
	}
	if s.earlyEOF {
		s.Side.ReadConnectionLost()
	}
}

// sideEnded counts the ends; the relay is over when both sides have ended,
// or when the client leaves before the target answered (the attempt is
// then abandoned).
func (s *serverSide) sideEnded() {
	s.ended++
	switch {
	case s.target == nil && s.connector == nil:
		// ConnectionMade panicked before the attempt began (the
		// reactor then aborted the client): the panic is why.
		s.report(s.err)
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
	s.linked()
}
