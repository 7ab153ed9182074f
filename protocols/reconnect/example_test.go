package reconnect_test

import (
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
// once it has ended.
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
