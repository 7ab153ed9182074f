package poetry

import (
	"testing"

	"gyre/deferred"
	"gyre/reactor"
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
