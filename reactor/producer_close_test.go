package reactor

import (
	"errors"
	"testing"
)

// idlePusher is a streaming producer that never writes: the issue's
// reproducer registers one and then loses the connection.
type idlePusher struct{ pauses, resumes, stops int }

func (p *idlePusher) PauseProducing()  { p.pauses++ }
func (p *idlePusher) ResumeProducing() { p.resumes++ }
func (p *idlePusher) StopProducing()   { p.stops++ }

// LoseConnection and LoseWriteConnection on a connection whose streaming
// producer is registered and not paused complete once the buffer has
// drained (Twisted's rule): the client reads the bytes and then end of
// file, the protocol hears ConnectionLost, and the producer is stopped.
func TestLoseWithStreamingProducer(t *testing.T) {
	for _, mode := range []string{"LoseConnection", "LoseWriteConnection"} {
		t.Run(mode, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, backend string) {
				r, _ := newReactor(t, backend, directWrites)
				prod := &idlePusher{}
				srv := &servers{build: func() *recorder {
					return &recorder{onMade: func(p *recorder) {
						if err := p.Transport.RegisterProducer(prod, true); err != nil {
							t.Error(err)
						}
						p.Transport.Write([]byte("bye\n"))
						if mode == "LoseConnection" {
							p.Transport.LoseConnection()
						} else {
							p.conn().LoseWriteConnection()
						}
					}, onLost: func(*recorder, error) { r.Stop() }}
				}}
				port := listen(t, r, srv)
				got := make(chan string, 1)
				go func() {
					c := goDial(t, port.Addr())
					if c == nil {
						got <- "dial failed"
						r.Stop()
						return
					}
					b, err := readAll(c)
					if err != nil {
						got <- "read: " + err.Error()
					} else {
						got <- string(b)
					}
					c.Close() // after a write-side shutdown, the server ends when we do
				}()
				run(t, r)
				if s := <-got; s != "bye\n" {
					t.Errorf("client got %q, want \"bye\\n\" then end of file", s)
				}
				if err := srv.all[0].lostOnce(t); !errors.Is(err, ErrConnectionDone) {
					t.Errorf("lost: %v", err)
				}
				if prod.stops != 1 {
					t.Errorf("producer stopped %d times, want 1", prod.stops)
				}
			})
		})
	}
}

// A push producer the buffer has paused is resumed before the close, and
// what it writes then goes out before the end of file.
func TestLoseWithPausedProducerResumesIt(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), directWrites)
	c, peer := pairConn(t, r, &recorder{})
	c.SetWriteBufferLimits(1, 0)
	prod := &tailPusher{c: c}
	if err := c.RegisterProducer(prod, true); err != nil {
		t.Fatal(err)
	}
	body := pattern(256 << 10)
	c.Write(body) // more than the socket takes: buffered, producer paused
	if prod.pauses != 1 {
		t.Fatalf("producer paused %d times", prod.pauses)
	}
	c.LoseConnection()
	var got []byte
	var err error
	for i := 0; i < 10000 && err == nil; i++ {
		got = append(got, readSome(t, peer)...)
		err = c.DoWrite()
	}
	got = append(got, readSome(t, peer)...)
	if !errors.Is(err, ErrConnectionDone) {
		t.Fatalf("DoWrite ended with %v, want ErrConnectionDone", err)
	}
	if want := string(body) + "tail"; string(got) != want {
		t.Errorf("peer got %d bytes, want %d ending in the producer's tail", len(got), len(want))
	}
	if prod.resumes != 1 {
		t.Errorf("producer resumed %d times, want 1", prod.resumes)
	}
}

// tailPusher writes "tail" the first time it is resumed.
type tailPusher struct {
	c                      *Conn
	pauses, resumes, stops int
}

func (p *tailPusher) PauseProducing() { p.pauses++ }
func (p *tailPusher) ResumeProducing() {
	p.resumes++
	if p.resumes == 1 {
		p.c.Write([]byte("tail"))
	}
}
func (p *tailPusher) StopProducing() { p.stops++ }
