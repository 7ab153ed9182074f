package reactor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"golang.org/x/sys/unix"

	"gyre/deferred"
	"gyre/reactor"
)

// The tutorial's first reactor program: a callback run once the loop runs.
func ExampleReactor_CallWhenRunning() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	r.CallWhenRunning(func() {
		fmt.Println("Hello from the reactor loop!")
		r.Stop()
	})
	fmt.Println("Starting the reactor.")
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Stopped.")
	// Output:
	// Starting the reactor.
	// Hello from the reactor loop!
	// Stopped.
}

// A countdown with CallLater, each call scheduling the next.
func ExampleReactor_CallLater() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	counter := 3
	var count func()
	count = func() {
		if counter == 0 {
			r.Stop()
			return
		}
		fmt.Println(counter, "...")
		counter--
		r.CallLater(10*time.Millisecond, count)
	}
	r.CallWhenRunning(count)
	// A call can be cancelled while it is pending.
	never := r.CallLater(time.Millisecond, func() { fmt.Println("never printed") })
	never.Cancel()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Stop!")
	// Output:
	// 3 ...
	// 2 ...
	// 1 ...
	// Stop!
}

// pipeReader reads a pipe as a ReadDescriptor: the lowest level the
// tutorial's first Twisted client works at.
type pipeReader struct {
	r   *reactor.Reactor
	fd  int
	got []byte
}

func (p *pipeReader) Fd() int           { return p.fd }
func (p *pipeReader) LogPrefix() string { return "pipe" }

func (p *pipeReader) DoRead() error {
	buf := p.r.ReadBuffer() // shared; copy what must be kept
	n, err := unix.Read(p.fd, buf)
	switch {
	case n > 0:
		p.got = append(p.got, buf[:n]...)
		return nil
	case n == 0 && err == nil:
		return io.EOF // the reactor removes us and calls ConnectionLost
	case err == unix.EAGAIN:
		return nil
	}
	return err
}

func (p *pipeReader) ConnectionLost(reason error) {
	fmt.Printf("read %q, then: %v\n", p.got, reason)
	p.r.Stop()
}

func ExampleReactor_AddReader() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		log.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	defer unix.Close(fds[0])
	if err := r.AddReader(&pipeReader{r: r, fd: fds[0]}); err != nil {
		log.Fatal(err)
	}
	unix.Write(fds[1], []byte("a poem"))
	unix.Close(fds[1])
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// read "a poem", then: Connection was closed cleanly.
}

// Work done on another goroutine hands its result to the loop.
func ExampleReactor_CallFromGoroutine() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		sum := 0
		for i := 1; i <= 100; i++ {
			sum += i
		}
		r.CallFromGoroutine(func() {
			fmt.Println("computed elsewhere:", sum)
			r.Stop()
		})
	}()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// computed elsewhere: 5050
}

// A goroutine waits for a result that only the loop can produce.
func ExampleBlockingCall() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		v, err := reactor.BlockingCall(r, func() *deferred.Deferred {
			d := deferred.New()
			r.CallLater(time.Millisecond, func() { d.Callback("a result from the loop") })
			return d
		})
		fmt.Println(v, err)
		_, err = reactor.BlockingCall(r, func() *deferred.Deferred {
			return deferred.Fail(errors.New("no poem"))
		})
		fmt.Println(err)
		r.Stop()
	}()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// a result from the loop <nil>
	// no poem
}

// The timer heap on its own, driven by a clock that moves by hand.
func ExampleTimerQueue() {
	now := time.Unix(0, 0)
	q := reactor.NewTimerQueue(func() time.Time { return now })
	q.CallLater(2*time.Second, func() { fmt.Println("two") })
	q.CallLater(time.Second, func() { fmt.Println("one") })
	q.CallLater(time.Second, func() { fmt.Println("one, scheduled second") })
	now = now.Add(5 * time.Second)
	fmt.Println(q.RunDue(now, nil), "calls ran")
	// Output:
	// one
	// one, scheduled second
	// two
	// 3 calls ran
}

func ExampleWithBackend() {
	for _, name := range []string{"poll", "no-such-backend"} {
		r, err := reactor.New(reactor.WithBackend(name))
		if err != nil {
			fmt.Println(errors.Is(err, reactor.ErrUnknownBackend))
			continue
		}
		fmt.Println(r.Backend())
		r.Close()
	}
	// Output:
	// poll
	// true
}

// A program that makes its own sockets with golang.org/x/sys/unix gets the
// addresses it needs the way the reactor does: a name resolved IPv4 first,
// converted to what connect(2) takes, and back from what accept(2) gives.
func ExampleSockaddr() {
	ip, err := reactor.ResolveHost(context.Background(), "127.0.0.1")
	if err != nil {
		log.Fatal(err)
	}
	sa, err := reactor.Sockaddr(ip, 10000)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T\n", sa)
	fmt.Println(reactor.TCPAddrFromSockaddr(sa))
	// Output:
	// *unix.SockaddrInet4
	// 127.0.0.1:10000
}
