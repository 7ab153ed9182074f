package wire

import (
	"bytes"
	"testing"

	"gyre/reactor"
)

// The protocols alone, on a transport that only counts: what the library
// adds to a request beyond the system calls. Both allocate nothing.

// BenchmarkEchoDataReceived: one op is one 1 KiB read echoed.
func BenchmarkEchoDataReceived(b *testing.B) {
	p, tr := connect(EchoFactory{})
	msg := bytes.Repeat([]byte("x"), 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		p.DataReceived(msg)
		tr.out = tr.out[:0]
	}
}

// BenchmarkLineEchoDataReceived: one op is one read of 16 lines of 64
// bytes, framed and answered in one write (ns/op / 16 is per request).
func BenchmarkLineEchoDataReceived(b *testing.B) {
	p, tr := connect(&LineEchoFactory{})
	msg := linesMessage()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		p.DataReceived(msg)
		tr.out = tr.out[:0]
	}
}

// The whole path over loopback: one op is one round trip from a Go net
// client on another goroutine (write, the reactor's wait, read,
// DataReceived, write, the client's read). allocs/op counts both sides:
// 0 in steady state.
func BenchmarkEchoLoopback(b *testing.B) {
	benchLoopback(b, EchoFactory{}, bytes.Repeat([]byte("x"), 1024))
}

// BenchmarkLinesLoopback: the same with a round of 16 lines of 64 bytes.
func BenchmarkLinesLoopback(b *testing.B) {
	benchLoopback(b, &LineEchoFactory{}, linesMessage())
}

func benchLoopback(b *testing.B, f reactor.Factory, msg []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	serve(b, reactor.DefaultBackend(), f, func(addr string) {
		c := dial(b, addr)
		if c == nil {
			return
		}
		defer c.Close()
		roundTrips(b, c, msg, 100) // buffers grown, the loop warm
		b.ResetTimer()
		roundTrips(b, c, msg, b.N)
		b.StopTimer()
	})
}
