package reactor

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// pusher is a push producer writing total bytes in chunks as fast as it is
// allowed.
type pusher struct {
	t               *Conn
	chunk           []byte
	left            int
	paused          bool
	pauses, resumes int
	stops           int
	maxBuffered     int
	onPause         func()
	sent            []byte
}

func (p *pusher) produce() {
	for !p.paused && p.left > 0 && p.t.Fd() >= 0 {
		n := min(len(p.chunk), p.left)
		p.sent = append(p.sent, p.chunk[:n]...)
		p.left -= n
		p.t.Write(p.chunk[:n])
		p.maxBuffered = max(p.maxBuffered, p.t.Buffered())
	}
	if p.left == 0 {
		p.left = -1
		p.t.UnregisterProducer()
		p.t.LoseConnection()
	}
}

func (p *pusher) PauseProducing() {
	p.paused = true
	p.pauses++
	if p.onPause != nil {
		p.onPause()
		p.onPause = nil
	}
}

func (p *pusher) ResumeProducing() {
	p.paused = false
	p.resumes++
	p.produce()
}

func (p *pusher) StopProducing() { p.stops++ }

// A push producer is paused when the buffer passes the high water mark
// and resumed when it drains to the low one; the buffer never holds more
// than the high mark plus one chunk.
func TestPushProducerWaterMarks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		pausedc := make(chan struct{}, 1)
		var prod *pusher
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				c := p.conn()
				c.SetWriteBufferLimits(32<<10, 8<<10)
				prod = &pusher{t: c, chunk: pattern(16 << 10), left: 8 << 20,
					onPause: func() { pausedc <- struct{}{} }}
				if err := c.RegisterProducer(prod, true); err != nil {
					t.Error(err)
				}
				prod.produce()
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		got := make(chan []byte, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				got <- nil
				r.Stop()
				return
			}
			select { // read nothing until the server has had to pause
			case <-pausedc:
			case <-time.After(testTimeout):
			}
			b, _ := readAll(c)
			got <- b
		}()
		run(t, r)
		b := <-got
		if !bytes.Equal(b, prod.sent) || len(b) != 8<<20 {
			t.Errorf("client got %d bytes, sent %d", len(b), len(prod.sent))
		}
		if prod.pauses == 0 || prod.resumes == 0 {
			t.Errorf("paused %d, resumed %d times", prod.pauses, prod.resumes)
		}
		if prod.maxBuffered > 32<<10+16<<10 {
			t.Errorf("buffer reached %d bytes", prod.maxBuffered)
		}
		if prod.stops != 0 {
			t.Error("stopped although it finished")
		}
		if err := srv.all[0].lostOnce(t); err != ErrConnectionDone {
			t.Errorf("lost: %v", err)
		}
	})
}

// puller is a pull producer: one chunk per ResumeProducing.
type puller struct {
	t           *Conn
	chunk       []byte
	left        int
	calls       int
	maxBuffered int
	stops       int
}

func (p *puller) ResumeProducing() {
	p.calls++
	if p.left <= 0 {
		p.t.UnregisterProducer()
		p.t.LoseConnection()
		return
	}
	n := min(len(p.chunk), p.left)
	p.left -= n
	p.t.Write(p.chunk[:n])
	p.maxBuffered = max(p.maxBuffered, p.t.Buffered())
}

func (p *puller) StopProducing() { p.stops++ }

// A pull producer is asked for one chunk each time the buffer is empty,
// so at most one chunk is ever buffered.
func TestPullProducer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		var prod *puller
		const chunk, total = 64 << 10, 6 << 20
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				prod = &puller{t: p.conn(), chunk: pattern(chunk), left: total}
				if err := p.Transport.RegisterProducer(prod, false); err != nil {
					t.Error(err)
				}
				if prod.calls != 1 {
					t.Errorf("RegisterProducer asked %d times, want 1 (at once)", prod.calls)
				}
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		got := make(chan int, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				got <- 0
				r.Stop()
				return
			}
			b, _ := readAll(c)
			got <- len(b)
		}()
		run(t, r)
		if n := <-got; n != total {
			t.Errorf("client got %d bytes", n)
		}
		if want := total/chunk + 1; prod.calls != want {
			t.Errorf("ResumeProducing called %d times, want %d", prod.calls, want)
		}
		if prod.maxBuffered > chunk {
			t.Errorf("buffer reached %d bytes", prod.maxBuffered)
		}
	})
}

// One producer at a time; a streaming producer must be able to pause; a
// producer registered on an ended connection is stopped; the connection's
// end stops its producer before the protocol hears of it.
func TestRegisterProducerRules(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), directWrites)
	var order []string
	rec := &recorder{onLost: func(*recorder, error) { order = append(order, "protocol") }}
	c, _ := pairConn(t, r, rec)
	p := &puller{t: c, chunk: []byte("x"), left: 1 << 30}
	if err := c.RegisterProducer(p, true); err == nil {
		t.Error("a pull producer was accepted as streaming")
	}
	if err := c.RegisterProducer(p, false); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterProducer(&puller{t: c}, false); !errors.Is(err, ErrProducerRegistered) {
		t.Errorf("second producer: %v", err)
	}
	stopper := &stopRecorder{order: &order}
	c.UnregisterProducer()
	c.RegisterProducer(stopper, false)
	c.AbortConnection()
	r.runEndings()
	if len(order) != 2 || order[0] != "producer" || order[1] != "protocol" {
		t.Errorf("order at the end: %v", order)
	}
	late := &stopRecorder{order: &order}
	if err := c.RegisterProducer(late, false); err != nil || len(order) != 3 {
		t.Errorf("producer on an ended connection: %v, %v", err, order)
	}
}

type stopRecorder struct{ order *[]string }

func (s *stopRecorder) ResumeProducing() {}
func (s *stopRecorder) StopProducing()   { *s.order = append(*s.order, "producer") }

// PauseProducing on the transport stops reading: what the peer sends
// waits in the kernel until ResumeProducing.
func TestTransportPauseResume(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend, directWrites)
		resumed := false
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.PauseProducing()
				r.CallLater(50*time.Millisecond, func() {
					if p.conn().flags&(fReading|fParked) != fParked {
						t.Errorf("paused: flags %b", p.conn().flags)
					}
					resumed = true
					p.Transport.ResumeProducing()
				})
			}, onData: func(p *recorder, _ []byte) {
				if !resumed {
					t.Error("data arrived while paused")
				}
				p.Transport.LoseConnection()
			}, onLost: func(*recorder, error) { r.Stop() }}
		}}
		port := listen(t, r, srv)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				r.Stop()
				return
			}
			c.Write([]byte("early words"))
			readAll(c)
		}()
		run(t, r)
		if string(srv.all[0].data) != "early words" {
			t.Errorf("server got %q", srv.all[0].data)
		}
	})
}

// Conn and TLSConn (before and after its handshake) make the same check
// before anything else.
func TestRegisterProducerRefusals(t *testing.T) {
	type pullOnly struct{ Producer }
	if err := (&Conn{}).RegisterProducer(nil, true); !errors.Is(err, ErrNilProducer) {
		t.Errorf("Conn, nil: %v", err)
	}
	if err := (&Conn{}).RegisterProducer(pullOnly{}, true); !errors.Is(err, ErrNotPushProducer) {
		t.Errorf("Conn, streaming pull producer: %v", err)
	}
	if err := (&TLSConn{}).RegisterProducer(pullOnly{}, true); !errors.Is(err, ErrNotPushProducer) {
		t.Errorf("TLSConn before its handshake, streaming pull producer: %v", err)
	}
}
