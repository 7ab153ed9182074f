package reactor_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"os"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// Blocking work runs on a goroutine of the reactor's pool; the Deferred
// fires on the loop with what the work returned, or fails with its error.
func ExampleDeferToGoroutine() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	r.CallWhenRunning(func() {
		reactor.DeferToGoroutine(r, func(context.Context) (any, error) {
			return os.ReadFile("doc.go") // blocks a goroutine of the pool, not the loop
		}).AddCallback(func(v any) (any, error) {
			fmt.Println("read:", len(v.([]byte)) > 0)
			// A callback returning a Deferred pauses the chain until it
			// fires: the next read starts only now.
			return reactor.DeferToGoroutine(r, func(context.Context) (any, error) {
				return os.ReadFile("no-such-file")
			}), nil
		}).AddErrback(func(f *deferred.Failure) (any, error) {
			fmt.Println("failed:", errors.Is(f, fs.ErrNotExist))
			return nil, nil
		}).AddBoth(func(any) (any, error) {
			return nil, r.Stop()
		})
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// read: true
	// failed: true
}

// The typed form: the result is a []byte, and an Inline body awaits it
// like any other Future.
func ExampleDeferToGoroutineOf() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	r.CallWhenRunning(func() {
		deferred.Inline(func(co *deferred.Coroutine) (any, error) {
			defer r.Stop()
			data, err := reactor.DeferToGoroutineOf(r, func(context.Context) ([]byte, error) {
				return os.ReadFile("doc.go") // blocks a goroutine of the pool, not the loop
			}).Await(co)
			if err != nil {
				return nil, err
			}
			fmt.Println("read", len(data) > 0)
			return nil, nil
		})
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output: read true
}

// A Deferred cancelled when a context's deadline passes.
func ExampleCancelOnDone() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	r.CallWhenRunning(func() {
		never := deferred.New()
		reactor.CancelOnDone(r, ctx, never).AddErrback(func(f *deferred.Failure) (any, error) {
			fmt.Println(f)
			fmt.Println(errors.Is(f, context.DeadlineExceeded), errors.Is(f, deferred.ErrCancelled))
			return nil, r.Stop()
		})
	})
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// deferred: cancelled (context deadline exceeded)
	// true true
}

// The reactor runs until the context is done; a goroutine asks the loop for
// a result with a context of its own.
func ExampleReactor_RunContext() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		defer stop()
		wait, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		_, err := reactor.BlockingCallContext(wait, r, func() *deferred.Deferred {
			return deferred.New() // never fires
		})
		fmt.Println(err)
	}()
	if err := r.RunContext(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("stopped:", ctx.Err())
	// Output:
	// deferred: cancelled (context deadline exceeded)
	// stopped: context canceled
}

// A goroutine waits for a result from the loop, but no longer than its
// context allows: once the context is done, the Deferred is cancelled (on
// the loop) and the error matches both the context's error and
// deferred.ErrCancelled.
func ExampleBlockingCallContext() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		v, err := reactor.BlockingCallContext(context.Background(), r, func() *deferred.Deferred {
			return deferred.Succeed("in time")
		})
		fmt.Println(v, err)

		ctx, giveUp := context.WithCancel(context.Background())
		defer giveUp()
		cancelled := false // set and read on the loop only
		_, err = reactor.BlockingCallContext(ctx, r, func() *deferred.Deferred {
			// An answer that would take long. Meanwhile the caller gives
			// up: here at once, from the loop, to keep the example exact;
			// a deadline or a shutdown would do the same.
			giveUp()
			return deferred.NewWithCanceller(func(*deferred.Deferred) { cancelled = true })
		})
		fmt.Println(err)
		fmt.Println(errors.Is(err, context.Canceled), errors.Is(err, deferred.ErrCancelled))

		// The cancel was queued on the loop before this call: it has run.
		v, _ = reactor.BlockingCall(r, func() *deferred.Deferred { return deferred.Succeed(cancelled) })
		fmt.Println("cancelled on the loop:", v)
	}()
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// in time <nil>
	// deferred: cancelled (context canceled)
	// true true
	// cancelled on the loop: true
}

// ctxFactory reports how its attempt ended.
type ctxFactory struct {
	reactor.BaseClientFactory
	name string
	done func()
}

func (f *ctxFactory) ClientConnectionFailed(c *reactor.Connector, reason error) {
	fmt.Printf("%s: failed; timeout: %v, deadline exceeded: %v\n", f.name,
		errors.Is(reason, reactor.ErrConnectTimeout), errors.Is(reason, context.DeadlineExceeded))
	f.done()
}

func (f *ctxFactory) ClientConnectionLost(c *reactor.Connector, reason error) {
	fmt.Printf("%s: connection lost: %v\n", f.name, reason)
	f.done()
}

// ConnectTCP with the deadline and cancellation of a context, as
// net.Dialer.DialContext: an attempt whose context has run out fails
// with a *ConnectError that matches both ErrConnectTimeout and the
// context's error, while a connection once made no longer depends on its
// context (here cancelled as soon as the connection is up).
func ExampleReactor_ConnectTCPContext() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		return &PoemServer{poem: []byte("short\n")}
	}))
	if err != nil {
		log.Fatal(err)
	}
	left := 2
	done := func() {
		if left--; left == 0 {
			r.Stop()
		}
	}

	spent, cancelSpent := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelSpent()
	r.ConnectTCPContext(spent, port.Addr().String(), &ctxFactory{name: "spent", done: done})

	live, cancelLive := context.WithCancel(context.Background())
	f := &ctxFactory{name: "live", done: done}
	f.Protocol = func() reactor.Protocol {
		cancelLive() // too late to matter: the connection is made
		return &reactor.BaseProtocol{}
	}
	r.ConnectTCPContext(live, port.Addr().String(), f)

	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// spent: failed; timeout: true, deadline exceeded: true
	// live: connection lost: Connection was closed cleanly.
}
