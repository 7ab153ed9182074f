package deferred_test

import (
	"iter"
	"testing"

	"gyre/deferred"
)

// The figure: an Inline body awaiting 10 Deferreds that have
// already fired, against the same work written as a callback chain (each
// stage returns the next fired Deferred, which the chain takes over). The
// target is within 3x of the chain.

func BenchmarkInlineAwait10Fired(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := deferred.Inline(func(co *deferred.Coroutine) (int, error) {
			sum := 0
			for i := range 10 {
				v, err := deferred.Await[int](co, deferred.Succeed(i))
				if err != nil {
					return 0, err
				}
				sum += v
			}
			return sum, nil
		})
		d.AddCallback(passThrough)
	}
}

func BenchmarkChain10Fired(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sum := 0
		d := deferred.Succeed(0)
		for i := range 10 {
			d.AddCallback(func(v any) (any, error) {
				return deferred.Succeed(i), nil
			}).AddCallback(func(v any) (any, error) {
				sum += v.(int)
				return sum, nil
			})
		}
		d.AddCallback(passThrough)
	}
}

// BenchmarkInlineSuspendResume is the cost of one Await that must wait: the
// body suspends, the Deferred fires, the body resumes. The Inline (and its
// coroutine) is made once, outside the loop.
func BenchmarkInlineSuspendResume(b *testing.B) {
	b.ReportAllocs()
	waits := make(chan *deferred.Deferred, 1)
	stop := deferred.New()
	deferred.Inline(func(co *deferred.Coroutine) (any, error) {
		for {
			d := deferred.New()
			waits <- d
			if v, _ := co.Await(d); v == stop {
				return nil, nil
			}
		}
	})
	for b.Loop() {
		_ = (<-waits).Callback(nil)
	}
	_ = (<-waits).Callback(stop)
}

// BenchmarkInlineStart is the fixed cost of an Inline: making the
// coroutine, running a body that awaits nothing, firing the result.
func BenchmarkInlineStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		deferred.Inline(func(*deferred.Coroutine) (int, error) { return 1, nil })
	}
}

// The two mechanisms Inline could stand on, measured bare: a round trip
// (hand over, get control back) between two goroutines through unbuffered
// channels, the way a goroutine-per-body design would take turns with the
// loop, against a round trip through an iter.Pull coroutine, which Inline
// uses.

func BenchmarkMechanismChannelRoundTrip(b *testing.B) {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	for b.Loop() {
		ping <- struct{}{}
		<-pong
	}
	close(ping)
}

func BenchmarkMechanismCoroutineRoundTrip(b *testing.B) {
	next, stop := iter.Pull(func(yield func(struct{}) bool) {
		for yield(struct{}{}) {
		}
	})
	defer stop()
	for b.Loop() {
		next()
	}
}
