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

// System event triggers hook the reactor's start and end. A Before-shutdown
// trigger may return a Deferred: the shutdown waits for it (here, a goodbye
// that takes a little while) before the descriptors are dropped.
func ExampleReactor_AddSystemEventTrigger() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	r.AddSystemEventTrigger(reactor.Before, reactor.Startup, func() *deferred.Deferred {
		fmt.Println("before startup")
		return nil
	})
	r.CallWhenRunning(func() {
		fmt.Println("running")
		r.Stop()
	})
	r.AddSystemEventTrigger(reactor.Before, reactor.Shutdown, func() *deferred.Deferred {
		fmt.Println("saying goodbye")
		d := deferred.New()
		r.CallLater(10*time.Millisecond, func() {
			fmt.Println("goodbye said")
			d.Callback(nil)
		})
		return d
	})
	id := r.AddSystemEventTrigger(reactor.During, reactor.Shutdown, func() *deferred.Deferred {
		fmt.Println("never printed: removed")
		return nil
	})
	if err := r.RemoveSystemEventTrigger(id); err != nil {
		log.Fatal(err)
	}
	r.AddSystemEventTrigger(reactor.After, reactor.Shutdown, func() *deferred.Deferred {
		fmt.Println("after shutdown")
		return nil
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// before startup
	// running
	// saying goodbye
	// goodbye said
	// after shutdown
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

// A host is resolved the way the reactor resolves it: IPv4 first.
func ExampleResolveHost() {
	ip, err := reactor.ResolveHost(context.Background(), "localhost")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ip)
	// Output:
	// 127.0.0.1
}
