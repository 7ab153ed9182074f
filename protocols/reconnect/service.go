package reconnect

import (
	"errors"
	"time"

	"gyre/deferred"
	"gyre/protocols/internal/halfclose"
	"gyre/reactor"
)

// ErrServiceStopped fails the Deferreds of WhenConnected still waiting
// when the service stops or gives up.
var ErrServiceStopped = errors.New("reconnect: client service stopped")

// DefaultStopTimeout is how long StopService lets the connection close
// cleanly, when ClientService.StopTimeout is 0, before aborting it.
const DefaultStopTimeout = 5 * time.Second

// ClientService keeps one connection to Addr (or Endpoint) up (Twisted's
// ClientService):
// StartService connects, a lost or failed connection is retried on the
// Factory's schedule, WhenConnected hands out the protocol of the
// connection when there is one, and StopService ends it all.
//
//	s := &reconnect.ClientService{Reactor: r, Addr: "127.0.0.1:10000",
//		Protocol: func() reactor.Protocol { return &MyClient{} }}
//	s.StartService()
//	s.WhenConnected().AddCallback(func(p any) (any, error) { ... })
type ClientService struct {
	Reactor *reactor.Reactor
	Addr    string
	// Endpoint, if set, is where to connect instead of Addr: a client
	// endpoint description (reactor.ParseClientEndpoint), such as
	// "tls:host=example.org:port=10443" or "unix:path=/run/poems.sock",
	// as Twisted's ClientService takes an endpoint. Its timeout bounds
	// each attempt; ConnectTimeout does not apply. A description that
	// does not parse (or a caCerts file that cannot be read) stops the
	// service: WhenConnected fails with the error.
	Endpoint string
	// Protocol builds the protocol of each connection. A nil one refuses
	// the connection: the attempt fails, as with a Factory (see
	// Factory.BuildProtocol), and counts toward MaxRetries.
	Protocol func() reactor.Protocol
	// ConnectTimeout bounds each attempt (reactor.DefaultConnectTimeout
	// when 0).
	ConnectTimeout time.Duration
	// Backoff and MaxRetries are the retry schedule (see Factory).
	Backoff    Backoff
	MaxRetries int
	// StopTimeout bounds StopService's clean close (DefaultStopTimeout
	// when 0 or less): a connection still not closed that long after
	// StopService, because its peer reads nothing and what was written
	// never drains, is aborted. Twisted's ClientService waits for the
	// close however long it takes; here a stalled peer never holds a
	// shutdown up.
	StopTimeout time.Duration

	factory  *Factory
	current  reactor.Protocol // the protocol of the connection up, if one is
	conn     reactor.Transport
	waiting  []*deferred.Deferred
	stopping *deferred.Deferred
	stopCall *reactor.DelayedCall // aborts the connection StopService closes
	running  bool
	gaveUp   error // why the service stopped by itself (it gave up, or a bad Endpoint)
}

// StartService starts connecting. It does nothing if the service runs.
// Started again while a StopService still waits for its connection to
// close, it connects once that has closed (and the stop's Deferred has
// fired), as Twisted's ClientService restarts.
func (s *ClientService) StartService() {
	if s.running {
		return
	}
	if s.Reactor == nil || s.Protocol == nil {
		panic("reconnect: a ClientService needs its Reactor and Protocol fields")
	}
	s.running, s.gaveUp = true, nil
	if s.stopping != nil && !s.stopping.Called() {
		return // lost connects
	}
	s.stopping = nil
	s.connect()
}

// connect starts a new schedule of attempts.
func (s *ClientService) connect() {
	f := &Factory{Backoff: s.Backoff, Clock: s.Reactor, MaxRetries: s.MaxRetries}
	f.Protocol = func() reactor.Protocol {
		// A nil protocol refuses the connection; wrapped, it would be
		// accepted, panic on its first call, and reset the delay.
		if p := s.Protocol(); p != nil {
			return track(p, s)
		}
		return nil
	}
	f.GaveUp = func(reason error) { s.fail(reason) }
	s.factory = f
	if s.Endpoint != "" {
		e, err := reactor.ParseClientEndpoint(s.Endpoint)
		if err == nil {
			_, err = e.Dial(s.Reactor, f)
		}
		if err != nil {
			s.fail(err)
		}
		return
	}
	timeout := s.ConnectTimeout
	if timeout == 0 {
		timeout = reactor.DefaultConnectTimeout
	}
	s.Reactor.ConnectTCP(s.Addr, f, timeout)
}

// WhenConnected returns a Deferred that fires with the protocol of the
// current connection: at once if there is one, else when the next one is
// made. It fails with ErrServiceStopped if the service stops (or gives up)
// first, or is not running.
func (s *ClientService) WhenConnected() *deferred.Deferred {
	if s.current != nil {
		return deferred.Succeed(s.current)
	}
	if !s.running {
		if s.gaveUp != nil {
			return deferred.Fail(s.gaveUp)
		}
		return deferred.Fail(ErrServiceStopped)
	}
	d := deferred.New()
	s.waiting = append(s.waiting, d)
	return d
}

// StopService stops retrying, closes the current connection (what it has
// written is still sent, if the peer reads it within StopTimeout; the
// connection is aborted then) and fails the Deferreds still waiting. The
// Deferred it returns fires (with nil) once no connection remains: at
// most StopTimeout later.
func (s *ClientService) StopService() *deferred.Deferred {
	if !s.running {
		if s.stopping != nil {
			return s.chainStop()
		}
		return deferred.Succeed(nil)
	}
	s.running = false
	if s.stopping == nil || s.stopping.Called() {
		// Otherwise a stop started before a StartService still waits for
		// the same connection: this one waits with it.
		s.stopping = deferred.New()
	}
	s.factory.StopTrying()
	s.fail(ErrServiceStopped)
	s.current = nil // closing: no longer handed out
	if s.conn != nil {
		s.stopCall = s.closeWithin(s.conn)
	} else {
		s.stopping.Callback(nil)
	}
	return s.chainStop()
}

// closeWithin closes t cleanly and aborts it if it has not closed within
// StopTimeout: a clean close waits for what was written to be sent, which
// a peer that reads nothing never lets happen. It returns the call that
// aborts, to be cancelled when t is lost (an abort of a closed connection
// does nothing, so one left to run is harmless).
func (s *ClientService) closeWithin(t reactor.Transport) *reactor.DelayedCall {
	timeout := s.StopTimeout
	if timeout <= 0 {
		timeout = DefaultStopTimeout
	}
	t.LoseConnection()
	return s.Reactor.CallLater(timeout, t.AbortConnection)
}

// chainStop returns a Deferred fired when stopping is.
func (s *ClientService) chainStop() *deferred.Deferred {
	d := deferred.New()
	s.stopping.AddBoth(func(v any) (any, error) {
		d.Callback(nil)
		return v, nil
	})
	return d
}

// fail fails every Deferred waiting for a connection.
func (s *ClientService) fail(reason error) {
	if !errors.Is(reason, ErrServiceStopped) {
		s.running = false
		reason = errors.Join(ErrServiceStopped, reason)
		s.gaveUp = reason
	}
	w := s.waiting
	s.waiting = nil
	for _, d := range w {
		d.Errback(reason)
	}
}

// attach makes t the service's connection as soon as it is made, before
// the protocol's ConnectionMade runs: a StopService called from there must
// find it to close, and wait for it.
func (s *ClientService) attach(t reactor.Transport) {
	if s.running {
		s.conn = t
	}
}

func (s *ClientService) connected(p reactor.Protocol, t reactor.Transport) {
	if s.conn == t && s.stopCall != nil {
		return // StopService, called from ConnectionMade, closes it
	}
	if !s.running {
		s.closeWithin(t) // made as the service stopped
		return
	}
	s.current, s.conn = p, t
	w := s.waiting
	s.waiting = nil
	for _, d := range w {
		d.Callback(p)
	}
}

// dying stops handing out the protocol of t before its ConnectionLost
// runs: a WhenConnected made there waits for the next connection.
func (s *ClientService) dying(t reactor.Transport) {
	if s.conn == t {
		s.current = nil
	}
}

func (s *ClientService) lost(t reactor.Transport) {
	if s.conn != t {
		return
	}
	s.current, s.conn = nil, nil
	if c := s.stopCall; c != nil && c.Active() {
		c.Cancel()
	}
	s.stopCall = nil
	stop := s.stopping
	if stop == nil || stop.Called() {
		return
	}
	if s.running { // started again while this connection closed
		s.stopping = nil
		s.connect()
	}
	stop.Callback(nil)
}

// tracked tells the service when its connection is made and lost.
type tracked struct {
	reactor.Protocol
	s *ClientService
	t reactor.Transport
}

// track wraps inner, keeping the half-close interfaces it has (see
// package halfclose).
func track(inner reactor.Protocol, s *ClientService) reactor.Protocol {
	return halfclose.Keep(&tracked{Protocol: inner, s: s}, inner)
}

// Unwrap returns the service's protocol (reactor.ProtocolWrapper).
func (p *tracked) Unwrap() reactor.Protocol { return p.Protocol }

func (p *tracked) MakeConnection(t reactor.Transport) {
	p.t = t
	p.s.attach(t)
	p.Protocol.MakeConnection(t)
}

func (p *tracked) ConnectionMade() {
	p.Protocol.ConnectionMade()
	p.s.connected(p.Protocol, p.t)
}

// ConnectionLost tells the service even when the protocol's own
// ConnectionLost panics (the reactor contains the panic): the service must
// not go on handing out a dead protocol, nor its stop wait for ever.
func (p *tracked) ConnectionLost(reason error) {
	p.s.dying(p.t)
	defer p.s.lost(p.t)
	p.Protocol.ConnectionLost(reason)
}
