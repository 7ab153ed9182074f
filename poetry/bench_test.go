package poetry

import (
	"strings"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// BenchmarkGetPoetry: one op is a GetPoetry of the 3 KB poem from a fast
// server in the same reactor, one after the other: connect, the server's
// accept and write, the client's reads, both closes, and the Deferred.
func BenchmarkGetPoetry(b *testing.B) {
	for _, backend := range reactor.Backends() {
		b.Run(backend, func(b *testing.B) {
			r := newReactor(b, backend)
			poem, _ := Poem("library")
			port := listen(b, r, NewFastServerFactory(poem))
			addr := port.Addr().String()
			n := 0
			var next func()
			next = func() {
				GetPoetry(r, addr).AddCallbacks(func(v any) (any, error) {
					if len(v.(string)) != len(poem) {
						b.Errorf("poem of %d bytes", len(v.(string)))
					}
					if n++; n >= b.N {
						r.Stop()
					} else {
						next()
					}
					return nil, nil
				}, func(f *deferred.Failure) (any, error) {
					b.Error(f)
					r.Stop()
					return nil, nil
				})
			}
			r.CallWhenRunning(next)
			b.ReportAllocs()
			b.ResetTimer()
			if err := r.Run(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// sinkTransport is a StringTransport that counts what is written instead
// of keeping it, for benchmarks.
type sinkTransport struct {
	*reactortest.StringTransport
	written int
}

func (t *sinkTransport) Write(data []byte)       { t.written += len(data) }
func (t *sinkTransport) WriteShared(data []byte) { t.written += len(data) }

// The slow server's schedule: every client due gets its chunk. One
// iteration is one delay of a thousand clients, a thousand chunks (ticks
// of up to 256 each, on one shared timer that is rearmed, not remade).
func BenchmarkSlowServerTick(b *testing.B) {
	const clients = 1000
	clock := task.NewClock()
	poem := []byte(strings.Repeat("poetry ", 4<<20/7))
	f := NewSlowServerFactory(clock, poem, 10, time.Millisecond)
	sinks := make([]*sinkTransport, clients)
	for i := range sinks {
		sinks[i] = &sinkTransport{StringTransport: &reactortest.StringTransport{}}
		p := f.BuildProtocol(sinks[i].Peer())
		p.MakeConnection(sinks[i]) // the protocol writes to the sink itself
		p.ConnectionMade()
	}
	b.ReportAllocs()
	for b.Loop() {
		clock.Advance(time.Millisecond)
	}
	b.StopTimer()
	chunks := 0
	for _, s := range sinks {
		chunks += s.written / 10
	}
	if f.Clients() != clients {
		b.Fatalf("%d clients left of %d: the poem ran out", f.Clients(), clients)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(chunks), "ns/chunk")
}
