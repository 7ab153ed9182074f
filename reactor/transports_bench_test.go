package reactor

import (
	"net"
	"testing"
	"time"
)

// The hot paths of the transports beyond TCP, on the system's first
// backend (epoll on Linux, kqueue on BSD and macOS):
//
//	go test -run '^$' -bench 'UDP|TLS' ./reactor

// udpBouncer answers each datagram with itself, and calls back on each.
type udpBouncer struct {
	BaseDatagramProtocol
	reply func(data []byte, addr *net.UDPAddr)
}

func (p *udpBouncer) DatagramReceived(data []byte, addr *net.UDPAddr) { p.reply(data, addr) }

// BenchmarkUDPRoundTrip: one 64-byte datagram to an echo port and back,
// both ports on one loop; an op is one round trip (two reads, two writes,
// two wake-ups).
func BenchmarkUDPRoundTrip(b *testing.B) {
	r, _ := newReactor(b, Backends()[0])
	msg := make([]byte, 64)
	echo := &udpBouncer{}
	echoPort, err := r.ListenUDP("127.0.0.1:0", echo)
	if err != nil {
		b.Fatal(err)
	}
	echo.reply = func(data []byte, addr *net.UDPAddr) { echoPort.Write(data, addr) }
	left := b.N
	client := &udpBouncer{}
	clientPort, err := r.ListenUDP("127.0.0.1:0", client)
	if err != nil {
		b.Fatal(err)
	}
	to := echoPort.Addr()
	client.reply = func([]byte, *net.UDPAddr) {
		if left--; left == 0 {
			r.Stop()
			return
		}
		clientPort.Write(msg, to)
	}
	r.CallWhenRunning(func() {
		b.ReportAllocs()
		b.ResetTimer()
		clientPort.Write(msg, to)
	})
	run(b, r)
}

// BenchmarkTLSStream: a server writes 16 MiB over TLS to a reactor client
// on the same loop, in 64 KiB writes paced by the transport's buffer; the
// figure is MB/s through both record layers (encrypt and decrypt on one
// core). Batched: the same on a reactor that batches its system calls
// (WithBatchedIO), where each 64 KiB Write's records are too large to
// batch and go at once.
//
// allocs/op is not 0 and is not meant to be: each op sets up a reactor, a
// port and a handshake, and the reading side allocates about once per
// socket read inside crypto/tls (its readFromUntil wraps the BIO in a
// reader that escapes to the heap; see TLSConn), some 1,000 reads for
// 16 MiB. The writing side allocates nothing per Write.
func BenchmarkTLSStream(b *testing.B)        { benchTLSStream(b, false) }
func BenchmarkTLSStreamBatched(b *testing.B) { benchTLSStream(b, true) }

func benchTLSStream(b *testing.B, batched bool) {
	const total = 16 << 20
	chunk := pattern(64 << 10)
	b.SetBytes(total)
	b.ReportAllocs()
	for range b.N {
		r, _ := newReactor(b, Backends()[0], WithBatchedIO(batched))
		if batched && !r.BatchedIO() {
			b.Skip("no io_uring here")
		}
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				sent := 0
				p.Transport.RegisterProducer(&pullFunc{fn: func() {
					if sent >= total {
						p.Transport.UnregisterProducer()
						p.Transport.LoseConnection()
						return
					}
					sent += len(chunk)
					p.Transport.Write(chunk)
				}}, false)
			}}
		}}
		downloadTLS(b, r, listenTLS(b, r, srv), total)
	}
}

// downloadTLS runs r until a TLS client of port has read to the end, and
// fails b unless it read total bytes (counted, not kept).
func downloadTLS(b *testing.B, r *Reactor, port *Port, total int) {
	got := 0
	cf := &clientFactory{}
	cf.build = func() *recorder {
		return &recorder{
			onData: func(p *recorder, data []byte) { got += len(data); p.data = p.data[:0] },
			onLost: func(*recorder, error) { r.Stop() },
		}
	}
	r.ConnectTLS(port.Addr().String(), testCerts(b).clientConfig(), cf, 5*time.Second)
	run(b, r)
	if got != total {
		b.Fatalf("client got %d bytes, want %d", got, total)
	}
}

// BenchmarkTLSStreamShared: the same 16 MiB, written at once with
// WriteShared as gyre serve writes a poem: it is encrypted as the socket
// takes the records, never all at once (see TLSConn.WriteShared).
func BenchmarkTLSStreamShared(b *testing.B) {
	const total = 16 << 20
	poem := pattern(total)
	b.SetBytes(total)
	b.ReportAllocs()
	for range b.N {
		r, _ := newReactor(b, Backends()[0])
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.(*TLSConn).WriteShared(poem)
				p.Transport.LoseConnection()
			}}
		}}
		downloadTLS(b, r, listenTLS(b, r, srv), total)
	}
}
