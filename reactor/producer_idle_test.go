package reactor

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
)

// waitingPuller is a pull producer with nothing to send yet: it writes
// nothing when asked, and writes its data later, when it has some.
type waitingPuller struct{ calls int }

func (p *waitingPuller) ResumeProducing() { p.calls++ }
func (p *waitingPuller) StopProducing()   {}

// A pull producer that wrote nothing when asked is not asked again until
// it writes (Twisted stops writing then; the producer's next write starts
// it again). Asking again at every writability is a busy loop: the socket
// is always writable, so the reactor would spin for as long as the
// producer waits.
func TestIdlePullProducerDoesNotSpin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		var prod *waitingPuller
		var asked int
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				prod = &waitingPuller{}
				if err := p.Transport.RegisterProducer(prod, false); err != nil {
					t.Error(err)
				}
				r.CallLater(200*time.Millisecond, func() {
					asked = prod.calls
					p.Transport.Write([]byte("late"))
					p.Transport.UnregisterProducer()
					p.Transport.LoseConnection()
				})
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		got := goReadAll(t, r, port.Addr())
		run(t, r)
		if s := <-got; s != "late" {
			t.Errorf("client got %q", s)
		}
		if asked > 2 {
			t.Errorf("a pull producer that wrote nothing was asked %d times in 200ms: the loop spins", asked)
		}
	})
}

// eofPuller has nothing to write until its source ends (eof); asked after
// that, it unregisters.
type eofPuller struct {
	t     Transport
	eof   bool
	calls int
}

func (p *eofPuller) ResumeProducing() {
	p.calls++
	if p.eof {
		p.t.UnregisterProducer()
	}
}
func (p *eofPuller) StopProducing() {}

// A close waits for the producer to unregister, and an idle pull producer
// learns it may when LoseConnection (or LoseWriteConnection) asks it once
// more, as Twisted's loseConnection starts writing again. Without that ask
// the close waited for ever.
func TestIdlePullProducerAskedAtClose(t *testing.T) {
	for _, how := range []string{"LoseConnection", "LoseWriteConnection", "TLS", "in ConnectionMade"} {
		t.Run(how, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			srv := &servers{build: func() *recorder {
				return &recorder{onMade: func(p *recorder) {
					p.Transport.Write([]byte("a whole poem"))
					prod := &eofPuller{t: p.Transport}
					if err := p.Transport.RegisterProducer(prod, false); err != nil {
						t.Error(err)
					}
					if how == "in ConnectionMade" {
						prod.eof = true
						p.Transport.LoseConnection()
						return
					}
					r.CallLater(50*time.Millisecond, func() {
						prod.eof = true
						if how == "LoseWriteConnection" {
							p.Transport.(TCPTransport).LoseWriteConnection()
						} else {
							p.Transport.LoseConnection()
						}
					})
				}}
			}}
			var port *Port
			if how == "TLS" {
				var err error
				if port, err = r.ListenTLS("127.0.0.1:0", testCerts(t).serverConfig(), srv); err != nil {
					t.Fatal(err)
				}
			} else {
				port = listen(t, r, srv)
			}
			got := goReadAllOver(t, r, port.Addr(), how == "TLS") // to the close, or the write side's shutdown
			run(t, r)
			if s := <-got; s != "a whole poem" {
				t.Errorf("client read %q", s)
			}
		})
	}
}

// chunkPuller writes n chunks, one per ask, then unregisters.
type chunkPuller struct {
	t     Transport
	chunk []byte
	n     int
}

func (p *chunkPuller) ResumeProducing() {
	if p.n == 0 {
		p.t.UnregisterProducer()
		return
	}
	p.n--
	p.t.Write(p.chunk)
}
func (p *chunkPuller) StopProducing() {}

// LoseWriteConnection on TLS while a producer still writes: the
// close_notify waits for it, as LoseConnection's does. It went at once,
// the producer's later writes were dropped, and the client read 2 of
// 16 MiB and a clean end.
func TestTLSLoseWriteConnectionWaitsForTheProducer(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	const chunks = 256
	chunk := pattern(16 << 10)
	srv := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			if err := p.Transport.RegisterProducer(&chunkPuller{t: p.Transport, chunk: chunk, n: chunks}, false); err != nil {
				t.Error(err)
			}
			p.Transport.(TCPTransport).LoseWriteConnection()
		}}
	}}
	port, err := r.ListenTLS("127.0.0.1:0", testCerts(t).serverConfig(), srv)
	if err != nil {
		t.Fatal(err)
	}
	got := goReadAllOver(t, r, port.Addr(), true)
	run(t, r)
	if n := len(<-got); n != chunks*len(chunk) {
		t.Errorf("client read %d of %d bytes before the end", n, chunks*len(chunk))
	}
}

// idlePusher is a push producer that writes nothing and never
// unregisters, as a relay's other side may stay registered.
type idlePushProducer struct{}

func (idlePushProducer) PauseProducing()  {}
func (idlePushProducer) ResumeProducing() {}
func (idlePushProducer) StopProducing()   {}

// A push producer that is not paused does not hold a TLS close, as it
// does not hold a TCP one (Transport's contract): LoseWriteConnection and
// LoseConnection go on at once. Waiting for it, the TLS side of a relay
// hung for ever.
func TestTLSCloseNotHeldByAPushProducer(t *testing.T) {
	for _, how := range []string{"LoseConnection", "LoseWriteConnection"} {
		t.Run(how, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			srv := &servers{build: func() *recorder {
				return &recorder{onMade: func(p *recorder) {
					if err := p.Transport.RegisterProducer(idlePushProducer{}, true); err != nil {
						t.Error(err)
					}
					p.Transport.Write([]byte("an answer"))
					if how == "LoseWriteConnection" {
						p.Transport.(TCPTransport).LoseWriteConnection()
					} else {
						p.Transport.LoseConnection()
					}
				}}
			}}
			port, err := r.ListenTLS("127.0.0.1:0", testCerts(t).serverConfig(), srv)
			if err != nil {
				t.Fatal(err)
			}
			got := goReadAllOver(t, r, port.Addr(), true)
			run(t, r)
			if s := <-got; s != "an answer" {
				t.Errorf("client read %q", s)
			}
		})
	}
}

// writeNotified counts its WriteConnectionLost calls.
type writeNotified struct {
	recorder
	writeLost int
}

func (p *writeNotified) WriteConnectionLost() { p.writeLost++ }

// LoseWriteConnection tells a protocol that has WriteConnectionLost when
// the write side is shut, over TLS as over TCP. Over TLS it never came.
func TestWriteConnectionLostOverTLS(t *testing.T) {
	for _, overTLS := range []bool{false, true} {
		r, _ := newReactor(t, DefaultBackend())
		var p *writeNotified
		f := FactoryFunc(func(net.Addr) Protocol {
			p = &writeNotified{}
			p.onMade = func(rp *recorder) {
				rp.Transport.Write([]byte("said"))
				rp.Transport.(TCPTransport).LoseWriteConnection()
			}
			p.onLost = func(*recorder, error) { r.Stop() }
			return p
		})
		var port *Port
		var err error
		if overTLS {
			port, err = r.ListenTLS("127.0.0.1:0", testCerts(t).serverConfig(), f)
		} else {
			port, err = r.ListenTCP("127.0.0.1:0", f)
		}
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				r.CallFromGoroutine(func() { r.Stop() })
				return
			}
			var rd io.Reader = c
			if overTLS {
				rd = tls.Client(c, testCerts(t).clientConfig())
			}
			io.ReadAll(rd) // to the server's end of stream, then close
			c.Close()
		}()
		run(t, r)
		if p == nil || p.writeLost != 1 {
			t.Errorf("TLS %v: WriteConnectionLost called %v times, want 1", overTLS, p)
		}
	}
}

// goReadAllOver dials addr from a goroutine, over TLS when overTLS, reads
// to the end of the stream, sends what it read, and stops r.
func goReadAllOver(t *testing.T, r *Reactor, addr net.Addr, overTLS bool) <-chan string {
	got := make(chan string, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c := goDial(t, addr)
		if c == nil {
			got <- ""
			return
		}
		var rd io.Reader = c
		if overTLS {
			rd = tls.Client(c, testCerts(t).clientConfig())
		}
		b, err := io.ReadAll(rd)
		if err != nil {
			t.Error(err)
		}
		got <- string(b)
	}()
	return got
}
