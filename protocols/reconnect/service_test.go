package reconnect

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/reactor"
)

// halfCloser answers the server's half-close: it writes "bye" once the
// server has finished sending, then closes.
type halfCloser struct {
	reactor.BaseProtocol
	readLost bool
}

func (h *halfCloser) ReadConnectionLost() {
	h.readLost = true
	h.Transport.Write([]byte("bye"))
	h.Transport.LoseConnection()
}

// A half-closeable protocol stays one behind the service: the server's
// half-close reaches ReadConnectionLost, and the connection lives on to
// carry the answer. Hidden by the service's wrapper, the half-close ended
// the connection and the answer was lost.
func TestClientServiceKeepsHalfClose(t *testing.T) {
	r := newReactor(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	answer := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			answer <- err.Error()
			return
		}
		defer c.Close()
		c.Write([]byte("hi"))
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		answer <- string(b)
	}()
	var hc *halfCloser
	s := &ClientService{Reactor: r, Addr: ln.Addr().String(),
		Protocol: func() reactor.Protocol { hc = &halfCloser{}; return hc },
		Backoff:  Backoff{InitialDelay: time.Hour, Jitter: -1}}
	r.CallWhenRunning(s.StartService)
	go func() {
		got := <-answer
		r.CallFromGoroutine(func() {
			answer <- got
			s.StopService()
			r.Stop()
		})
	}()
	runFor(t, r)
	if got := <-answer; got != "bye" || hc == nil || !hc.readLost {
		t.Errorf("server read %q; ReadConnectionLost called: %v", got, hc != nil && hc.readLost)
	}
}

// StartService right after StopService, while the connection still
// closes: the stop's Deferred fires once it has closed, and the service
// then connects again. The Deferred never fired.
func TestClientServiceStopThenStart(t *testing.T) {
	r := newReactor(t)
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &reactor.BaseProtocol{}
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := &ClientService{Reactor: r, Addr: port.Addr().String(),
		Protocol: func() reactor.Protocol { return &reactor.BaseProtocol{} },
		Backoff:  Backoff{InitialDelay: time.Millisecond, Jitter: -1}}
	var first, second any
	var order []string
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddCallback(func(p any) (any, error) {
			first = p
			s.StopService().AddCallback(func(any) (any, error) {
				order = append(order, "stopped")
				return nil, nil
			})
			s.StartService()
			s.WhenConnected().AddCallback(func(p any) (any, error) {
				second = p
				order = append(order, "connected")
				s.StopService().AddCallback(func(any) (any, error) { r.Stop(); return nil, nil })
				return nil, nil
			})
			return nil, nil
		})
	})
	runFor(t, r)
	if len(order) != 2 || order[0] != "stopped" || order[1] != "connected" || first == second {
		t.Errorf("events %v; first %p, second %p", order, first, second)
	}
}

// panicsOnLost is a client protocol whose ConnectionLost panics.
type panicsOnLost struct{ reactor.BaseProtocol }

func (*panicsOnLost) ConnectionLost(error) { panic("bug in ConnectionLost") }

// A protocol whose ConnectionLost panics (the reactor contains it) still
// tells the service its connection is gone: WhenConnected waits for the
// next connection instead of handing out the dead protocol, and
// StopService does not wait for the dead connection to close.
func TestClientServiceLostAfterPanic(t *testing.T) {
	r := newReactor(t, reactor.WithLogger(slog.New(slog.DiscardHandler))) // the panic is logged
	port, server := listenHooked(t, r)
	s := &ClientService{Reactor: r, Addr: port.Addr().String(),
		Protocol: func() reactor.Protocol { return &panicsOnLost{} },
		Backoff:  Backoff{InitialDelay: time.Hour, Jitter: -1}} // no reconnect within the test
	var dead, handed any
	stopFired := false
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddCallback(func(p any) (any, error) {
			dead = p
			server.sides[0].LoseConnection()
			r.CallLater(50*time.Millisecond, func() {
				s.WhenConnected().AddBoth(func(v any) (any, error) { handed = v; return nil, nil })
				s.StopService().AddCallback(func(any) (any, error) { stopFired = true; r.Stop(); return nil, nil })
			})
			r.CallLater(5*time.Second, func() { r.Stop() })
			return nil, nil
		})
	})
	runFor(t, r)
	if handed == dead || !stopFired {
		t.Errorf("WhenConnected gave the dead protocol: %v; StopService fired: %v", handed == dead, stopFired)
	}
}

// A service missing its reactor or its protocol says so when started.
func TestClientServiceWithoutFieldsSaysSo(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "Reactor and Protocol") {
			t.Errorf("panicked with %q", msg)
		}
	}()
	(&ClientService{Addr: "127.0.0.1:1"}).StartService()
}

// askingOnLost asks its service for the connection as it is lost.
type askingOnLost struct {
	reactor.BaseProtocol
	s        *ClientService
	handedMe bool
}

func (p *askingOnLost) ConnectionLost(error) {
	p.s.WhenConnected().AddCallback(func(v any) (any, error) {
		p.handedMe = v == p
		return nil, nil
	})
}

// A protocol asking for the connection from its own ConnectionLost is not
// handed itself, dying: it waits for the next connection.
func TestWhenConnectedFromConnectionLost(t *testing.T) {
	r := newReactor(t)
	port, server := listenHooked(t, r)
	var first *askingOnLost
	s := &ClientService{Reactor: r, Addr: port.Addr().String(),
		Backoff: Backoff{InitialDelay: time.Hour, Jitter: -1}} // no reconnect within the test
	s.Protocol = func() reactor.Protocol { first = &askingOnLost{s: s}; return first }
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddCallback(func(any) (any, error) {
			server.sides[0].LoseConnection()
			r.CallLater(50*time.Millisecond, func() { s.StopService(); r.Stop() })
			return nil, nil
		})
		r.CallLater(5*time.Second, func() { r.Stop() })
	})
	runFor(t, r)
	if first == nil || first.handedMe {
		t.Errorf("the dying protocol was handed itself (protocol %v)", first)
	}
}

// flooder writes more than the kernel's buffers hold as it connects, and
// keeps how its connection ended.
type flooder struct {
	reactor.BaseProtocol
	lost error
}

func (f *flooder) ConnectionMade() { f.Transport.Write(make([]byte, 32<<20)) }

func (f *flooder) ConnectionLost(reason error) { f.lost = reason }

// StopService against a peer that reads nothing ends within StopTimeout:
// the clean close, which waits for what was written to be sent, is
// aborted. It waited for as long as the peer held the connection open.
func TestStopServiceAbortsStalledClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	defer close(release)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		<-release // hold the connection, read nothing
		c.Close()
	}()
	r := newReactor(t)
	p := &flooder{}
	s := &ClientService{Reactor: r, Addr: ln.Addr().String(), StopTimeout: 100 * time.Millisecond,
		Protocol: func() reactor.Protocol { return p }}
	var took time.Duration
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddCallback(func(any) (any, error) {
			start := time.Now()
			s.StopService().AddCallback(func(any) (any, error) {
				took = time.Since(start)
				return nil, r.Stop()
			})
			return nil, nil
		})
	})
	runFor(t, r)
	if took > 5*time.Second {
		t.Errorf("the stop took %v with a StopTimeout of 100ms", took)
	}
	if p.lost == nil || errors.Is(p.lost, reactor.ErrConnectionDone) {
		t.Errorf("the stalled connection ended with %v, want an abort", p.lost)
	}
}

// stopsAtOnce stops its service from its own ConnectionMade, and notes
// when its connection is lost.
type stopsAtOnce struct {
	reactor.BaseProtocol
	s      *ClientService
	events *[]string
	done   func()
}

func (p *stopsAtOnce) ConnectionMade() {
	p.s.StopService().AddCallback(func(any) (any, error) {
		*p.events = append(*p.events, "stopped")
		p.done()
		return nil, nil
	})
}

func (p *stopsAtOnce) ConnectionLost(error) { *p.events = append(*p.events, "lost") }

// StopService called from the protocol's ConnectionMade closes that
// connection and fires once it has ended. The service learnt of the
// connection only after ConnectionMade had returned, so the stop found
// none, fired at once and left it open behind it.
func TestStopServiceFromConnectionMade(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	defer close(release)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		<-release // the peer never closes: only the stop ends the connection
	}()
	r := newReactor(t)
	var events []string
	s := &ClientService{Reactor: r, Addr: ln.Addr().String()}
	s.Protocol = func() reactor.Protocol {
		return &stopsAtOnce{s: s, events: &events, done: func() { r.Stop() }}
	}
	r.CallWhenRunning(s.StartService)
	runFor(t, r)
	if strings.Join(events, " ") != "lost stopped" {
		t.Errorf("events %q, want the connection lost before the stop fires", events)
	}
}

// A Protocol that builds nothing refuses the connection, as a Factory's
// does: the attempt fails, counts toward MaxRetries, and the service gives
// up. Wrapped before the factory could see the nil, every connection was
// accepted, panicked twice (MakeConnection and ConnectionLost on a nil
// protocol) and reset the delay: retried for ever, never giving up.
func TestServiceRefusedConnectionsGiveUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var logged strings.Builder
	r := newReactor(t, reactor.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	s := &ClientService{Reactor: r, Addr: ln.Addr().String(), MaxRetries: 2,
		Backoff:  Backoff{InitialDelay: time.Millisecond, Jitter: -1},
		Protocol: func() reactor.Protocol { return nil }}
	var got error
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddBoth(func(v any) (any, error) {
			got, _ = v.(error)
			r.Stop()
			return nil, nil
		})
		r.CallLater(5*time.Second, func() { r.Stop() })
	})
	runFor(t, r)
	if !errors.Is(got, reactor.ErrNoProtocol) || strings.Contains(logged.String(), "panic") {
		t.Errorf("WhenConnected ended with %v (log %q); want the service to give up with ErrNoProtocol, nothing panicking",
			got, logged.String())
	}
}
