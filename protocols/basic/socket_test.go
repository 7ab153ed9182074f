package basic

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// echoLines echoes each line back and closes on "quit".
type echoLines struct{ LineReceiver }

func (e *echoLines) LineReceived(line []byte) {
	if string(line) == "quit" {
		e.LoseConnection()
		return
	}
	e.SendLine(line)
}

// echoNetstrings echoes each netstring back and closes on "quit".
type echoNetstrings struct{ NetstringReceiver }

func (e *echoNetstrings) StringReceived(s []byte) {
	if string(s) == "quit" {
		e.LoseConnection()
		return
	}
	e.SendString(s)
}

// Over real sockets, on every backend: a client writes frames in random
// small pieces (each piece its own segment), the server's framer echoes
// each frame, and the client gets exactly the stream it sent back.
func TestFramersOverSockets(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	frames := sampleFrames(rng, 300)
	cases := []struct {
		name    string
		factory reactor.FactoryFunc
		encode  func([]string) []byte
	}{
		{"lines", func(net.Addr) reactor.Protocol { p := &echoLines{}; p.Handler = p; return p }, framerCases()[0].encode},
		{"netstrings", func(net.Addr) reactor.Protocol { p := &echoNetstrings{}; p.Handler = p; return p }, framerCases()[3].encode},
	}
	for _, backend := range reactor.Backends() {
		for _, c := range cases {
			t.Run(backend+"/"+c.name, func(t *testing.T) {
				r := reactortest.RealReactor(t, backend)
				port, err := r.ListenTCP("127.0.0.1:0", c.factory)
				if err != nil {
					t.Fatal(err)
				}
				want := c.encode(frames)
				got := make(chan []byte, 1)
				seed := rng.Uint64()
				go func() {
					defer r.CallFromGoroutine(func() { r.Stop() })
					got <- exchange(t, port.Addr().String(), want, c.encode([]string{"quit"}), seed)
				}()
				done := make(chan error, 1)
				go func() { done <- r.Run() }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(20 * time.Second):
					r.CallFromGoroutine(func() { r.Stop() })
					t.Fatal("reactor still running after 20s")
				}
				if b := <-got; !bytes.Equal(b, want) {
					t.Errorf("got %d bytes back, want %d", len(b), len(want))
				}
			})
		}
	}
}

// exchange writes stream in random pieces, then quit, and returns all it
// reads until the server closes.
func exchange(t *testing.T, addr string, stream, quit []byte, seed uint64) []byte {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	conn.(*net.TCPConn).SetNoDelay(true)
	out := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(conn)
		out <- b
	}()
	rng := rand.New(rand.NewPCG(seed, 1))
	for len(stream) > 0 {
		n := min(1+rng.IntN(300), len(stream))
		if _, err := conn.Write(stream[:n]); err != nil {
			t.Error(err)
			break
		}
		stream = stream[n:]
	}
	conn.Write(quit)
	return <-out
}

// pauser pauses itself after every tenth line and resumes a little later:
// no line may come while it is paused, and none may be lost or reordered.
type pauser struct {
	LineReceiver
	r       *reactor.Reactor
	got     int
	bad     int
	pauses  int
	wantAll int
}

func (p *pauser) LineReceived(line []byte) {
	if p.Paused() {
		p.bad++
	}
	if string(line) != fmt.Sprint(p.got) {
		p.bad++
	}
	p.got++
	if p.got == p.wantAll {
		p.SendLine([]byte("done"))
		p.LoseConnection()
		return
	}
	if p.got%10 == 0 {
		p.PauseProducing()
		p.pauses++
		p.r.CallLater(time.Millisecond, p.ResumeProducing)
	}
}

// Pausing over real sockets, on every backend: lines already received wait
// while paused, reading stops, and everything comes in order in the end.
func TestPauseOverSockets(t *testing.T) {
	const n = 2000
	var stream []byte
	for i := range n {
		stream = fmt.Appendf(stream, "%d\r\n", i)
	}
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			var p *pauser
			port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
				p = &pauser{r: r, wantAll: n}
				p.Handler = p
				return p
			}))
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan []byte, 1)
			go func() {
				defer r.CallFromGoroutine(func() { r.Stop() })
				got <- exchange(t, port.Addr().String(), stream, nil, 7)
			}()
			done := make(chan error, 1)
			go func() { done <- r.Run() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				r.CallFromGoroutine(func() { r.Stop() })
				t.Fatal("reactor still running after 20s")
			}
			if b := <-got; string(b) != "done\r\n" {
				t.Errorf("client got %q", b)
			}
			if p.got != n || p.bad != 0 || p.pauses != n/10-1 {
				t.Errorf("%d lines, %d out of order or while paused, %d pauses", p.got, p.bad, p.pauses)
			}
		})
	}
}

// bulkAnswer answers each line with a large body, paced by its own
// connection: the framer is its transport's push producer, so the reactor
// pauses it, with the lines after the first held back, until the client
// reads.
type bulkAnswer struct {
	LineReceiver
	lines []string
}

const bulkSize = 16 << 20 // beyond what the kernel's buffers take at once

func (b *bulkAnswer) ConnectionMade() { b.Transport.RegisterProducer(b, true) }

func (b *bulkAnswer) LineReceived(line []byte) {
	b.lines = append(b.lines, string(line))
	b.Transport.Write(make([]byte, bulkSize))
}

// Over real sockets, on every backend: a connection closed from outside
// any handler (as IdleTimeout or a relay closes it) while the reactor has
// its framer paused, with "DELETE x" held back, never hands "DELETE x" to
// the handler, though the reactor resumes the framer as the buffer drains.
func TestPausedByReactorThenClosed(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			made := make(chan *bulkAnswer, 1)
			port, err := r.ListenTCP("127.0.0.1:0", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
				p := &bulkAnswer{}
				p.Handler = p
				made <- p
				return p
			}))
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- r.Run() }()
			defer func() { r.CallFromGoroutine(func() { r.Stop() }); <-done }()
			c, err := net.Dial("tcp", port.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("GET\r\nDELETE x\r\n")); err != nil {
				t.Fatal(err)
			}
			p := <-made
			// Wait until the reactor has paused the framer with the second
			// line held, then close from outside any handler.
			deadline := time.Now().Add(10 * time.Second)
			for closed := false; !closed; {
				if time.Now().After(deadline) {
					t.Fatal("the framer was never paused with a line held")
				}
				res := make(chan bool, 1)
				r.CallFromGoroutine(func() {
					held := p.Paused() && p.Buffered() > 0
					if held {
						p.Transport.LoseConnection()
					}
					res <- held
				})
				if closed = <-res; !closed {
					time.Sleep(5 * time.Millisecond)
				}
			}
			c.SetDeadline(time.Now().Add(20 * time.Second))
			n, err := io.Copy(io.Discard, c)
			lines := make(chan []string, 1)
			r.CallFromGoroutine(func() { lines <- p.lines })
			if got := <-lines; len(got) != 1 || got[0] != "GET" {
				t.Errorf("lines handled %q, want only GET", got)
			}
			if err != nil || n != bulkSize {
				t.Errorf("client read %d bytes, %v; want %d", n, err, bulkSize)
			}
		})
	}
}
