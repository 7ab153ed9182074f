package reconnect_test

import (
	"bytes"
	"fmt"
	"log"
	"net"
	"time"

	"gyre/protocols/reconnect"
	"gyre/reactor"
)

// The retry schedule: each delay e times the last, capped, here without
// jitter to print it.
func ExampleBackoff() {
	b := reconnect.Backoff{InitialDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second, Jitter: -1}
	for n := 1; n <= 5; n++ {
		fmt.Println(b.Delay(n).Round(time.Millisecond))
	}
	// Output:
	// 100ms
	// 272ms
	// 739ms
	// 2s
	// 2s
}

// Greeter says hello to each client.
type Greeter struct{ reactor.BaseProtocol }

func (g *Greeter) ConnectionMade() { g.Transport.Write([]byte("hello\n")) }

// Listener prints what it hears, then calls heard.
type Listener struct {
	reactor.BaseProtocol
	heard func()
}

func (l *Listener) DataReceived(b []byte) {
	fmt.Printf("heard %q\n", b)
	l.heard()
}

// A service that keeps one connection to a server up: WhenConnected hands
// out the protocol of the connection, StopService closes it and fires
// once it has ended (at most StopTimeout later: a connection whose peer
// reads nothing is aborted then).
func ExampleClientService() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &Greeter{} }))
	if err != nil {
		log.Fatal(err)
	}
	var s *reconnect.ClientService
	stop := func() {
		s.StopService().AddCallback(func(any) (any, error) {
			fmt.Println("stopped")
			r.Stop()
			return nil, nil
		})
	}
	s = &reconnect.ClientService{Reactor: r, Addr: port.Addr().String(),
		Protocol: func() reactor.Protocol { return &Listener{heard: stop} }}
	r.CallWhenRunning(func() {
		s.StartService()
		s.WhenConnected().AddCallback(func(p any) (any, error) {
			fmt.Printf("connected: %T\n", p)
			return nil, nil
		})
	})
	r.Run()
	// Output:
	// connected: *reconnect_test.Listener
	// heard "hello\n"
	// stopped
}

// Storyteller tells each client one numbered poem; it hangs up on the
// first client only.
type Storyteller struct {
	reactor.BaseProtocol
	n int
}

func (s *Storyteller) ConnectionMade() {
	s.Transport.Write(fmt.Appendf(nil, "poem %d\n", s.n))
	if s.n == 1 {
		s.Transport.LoseConnection()
	}
}

// LineReader hands each whole line it receives to heard and says how its
// connection ended.
type LineReader struct {
	reactor.BaseProtocol
	buf   []byte
	heard func(line string)
}

func (l *LineReader) DataReceived(b []byte) {
	l.buf = append(l.buf, b...) // b is only lent: copy it
	for {
		line, rest, ok := bytes.Cut(l.buf, []byte("\n"))
		if !ok {
			return
		}
		l.buf = rest
		l.heard(string(line))
	}
}

func (l *LineReader) ConnectionLost(reason error) { fmt.Println("lost:", reason) }

// The service connects again when the server hangs up: here after 10ms
// (a Backoff without jitter), and the second connection is served by a
// new protocol. StopService then closes it for good.
func ExampleClientService_reconnect() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	served := 0
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		served++
		return &Storyteller{n: served}
	}))
	if err != nil {
		log.Fatal(err)
	}
	var s *reconnect.ClientService
	heard := func(line string) {
		fmt.Printf("heard %q\n", line)
		if line != "poem 2" {
			return
		}
		s.StopService().AddCallback(func(any) (any, error) {
			fmt.Println("stopped after", served, "connections")
			return nil, r.Stop()
		})
	}
	s = &reconnect.ClientService{
		Reactor:  r,
		Addr:     port.Addr().String(),
		Protocol: func() reactor.Protocol { return &LineReader{heard: heard} },
		Backoff:  reconnect.Backoff{InitialDelay: 10 * time.Millisecond, Jitter: -1},
	}
	r.CallWhenRunning(s.StartService)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// heard "poem 1"
	// lost: Connection was closed cleanly.
	// heard "poem 2"
	// lost: Connection was closed cleanly.
	// stopped after 2 connections
}
