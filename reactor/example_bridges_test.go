package reactor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"gyre/deferred"
	"gyre/reactor"
)

// Blocking work (here a file read) runs on the pool; the Deferred fires on
// the loop, where an Inline body awaits it like any other.
func ExampleDeferToGoroutine() {
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
