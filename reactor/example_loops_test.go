package reactor_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"runtime"
	"time"

	"gyre/reactor"
)

// A server with as many loops as the program has processors: each reactor
// is told how many loops run at once (WithLoops), listens on the same port
// (WithReusePort) and runs on a goroutine locked to a thread of its own.
// The kernel spreads the connections among the loops; which loop serves
// which client does not show in what the clients get.
func ExampleWithLoops() {
	n := runtime.GOMAXPROCS(0)
	loops := make([]*reactor.Reactor, n)
	addr := "127.0.0.1:0"
	for i := range loops {
		r, err := reactor.New(reactor.WithLoops(n))
		if err != nil {
			log.Fatal(err)
		}
		p, err := r.ListenTCP(addr, reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
			return &PoemServer{poem: []byte("one poem, many loops\n")}
		}), reactor.WithReusePort())
		if err != nil {
			log.Fatal(err)
		}
		addr = p.Addr().String() // the others listen where the first does
		loops[i] = r
	}
	done := make(chan error, n)
	for _, r := range loops {
		go func() {
			runtime.LockOSThread() // a thread each: the loops do not take turns on one
			defer runtime.UnlockOSThread()
			done <- r.Run()
		}()
	}

	for i := range 4 {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			log.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		poem, err := io.ReadAll(c)
		c.Close()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("client %d: %s", i+1, poem)
	}

	for _, r := range loops {
		r.CallFromGoroutine(func() { r.Stop() })
	}
	for range loops {
		if err := <-done; err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// client 1: one poem, many loops
	// client 2: one poem, many loops
	// client 3: one poem, many loops
	// client 4: one poem, many loops
}
