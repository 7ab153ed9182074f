package reactor

import (
	"crypto/tls"
	"io"
	"testing"
	"time"
)

// greedyPusher is a push producer that writes its payload piece after
// piece for as long as it is not paused, and unregisters once all of it
// is written.
type greedyPusher struct {
	t      Transport
	piece  []byte
	left   int
	paused bool
	stops  int
}

func (g *greedyPusher) PauseProducing() { g.paused = true }
func (g *greedyPusher) StopProducing()  { g.stops++ }
func (g *greedyPusher) ResumeProducing() {
	g.paused = false
	for g.left > 0 && !g.paused {
		n := min(g.left, len(g.piece))
		g.left -= n
		g.t.Write(g.piece[:n])
	}
	if g.left == 0 && g.t != nil {
		t := g.t
		g.t = nil
		t.UnregisterProducer()
	}
}

// LoseConnection right after a push producer has been paused by the TLS
// connection's buffer waits for it, as over TCP: the peer, which reads
// late, gets every byte and then the close_notify. The close_notify went
// at once and the producer's later writes were dropped: the peer read 3
// of 4 MiB and took them for the whole.
func TestTLSLoseConnectionWaitsForPausedPushProducer(t *testing.T) {
	const total = 4 << 20
	for _, how := range []string{"LoseConnection", "LoseWriteConnection"} {
		t.Run(how, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			var prod *greedyPusher
			srv := &servers{build: func() *recorder {
				return &recorder{onData: func(p *recorder, _ []byte) {
					if prod != nil {
						return
					}
					// The handshake is over: the client has spoken.
					tc := p.Transport.(*TLSConn)
					tc.SetWriteBufferLimits(64<<10, 16<<10)
					prod = &greedyPusher{t: tc, piece: pattern(16 << 10), left: total}
					if err := tc.RegisterProducer(prod, true); err != nil {
						t.Error(err)
					}
					prod.ResumeProducing()
					if !prod.paused {
						t.Error("the producer was not paused: the test shows nothing")
					}
					if how == "LoseConnection" {
						tc.LoseConnection()
					} else {
						tc.LoseWriteConnection()
					}
				}}
			}}
			port := listenTLS(t, r, srv)
			type result struct {
				n   int
				err error
			}
			got := make(chan result, 1)
			go func() {
				defer r.CallFromGoroutine(func() { r.Stop() })
				raw := goDialSmall(t, port.Addr())
				if raw == nil {
					got <- result{}
					return
				}
				c := tls.Client(raw, testCerts(t).clientConfig())
				if _, err := c.Write([]byte("go")); err != nil {
					got <- result{err: err}
					return
				}
				time.Sleep(100 * time.Millisecond) // the server's buffer fills
				b, err := io.ReadAll(c)
				got <- result{len(b), err}
			}()
			run(t, r)
			res := <-got
			if res.n != total || res.err != nil {
				t.Errorf("client read %d of %d bytes, then %v; want all of them and a clean end", res.n, total, res.err)
			}
			if prod != nil && prod.stops != 0 {
				t.Errorf("the producer was stopped %d times; it finished and unregistered", prod.stops)
			}
		})
	}
}

// A push producer that is not paused does not hold the close (see
// TestTLSCloseNotHeldByAPushProducer), but it is stopped when the
// close_notify is written, not left to write into a stream that has
// ended. The close_notify goes at the end of the callback's turn, as a
// TCP connection's close does: the producer may still write until then.
func TestTLSCloseStopsAnUnpausedPushProducer(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	prod := &idlePusher{}
	var stopsAtClose, stopsAfterTurn int
	srv := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, _ []byte) {
			if err := p.Transport.RegisterProducer(prod, true); err != nil {
				t.Error(err)
			}
			p.Transport.Write([]byte("an answer"))
			p.Transport.LoseConnection()
			stopsAtClose = prod.stops
			r.CallLater(0, func() { stopsAfterTurn = prod.stops })
		}}
	}}
	port := listenTLS(t, r, srv)
	got := make(chan string, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c, err := tls.Dial("tcp", port.Addr().String(), testCerts(t).clientConfig())
		if err != nil {
			t.Error(err)
			got <- ""
			return
		}
		defer c.Close()
		c.Write([]byte("hello"))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Error(err)
		}
		got <- string(b)
	}()
	run(t, r)
	if s := <-got; s != "an answer" {
		t.Errorf("client read %q", s)
	}
	if stopsAtClose != 0 || stopsAfterTurn != 1 || prod.stops != 1 {
		t.Errorf("producer stopped %d times inside LoseConnection, %d by the end of its turn, %d in all; want 0, 1 and 1",
			stopsAtClose, stopsAfterTurn, prod.stops)
	}
}
