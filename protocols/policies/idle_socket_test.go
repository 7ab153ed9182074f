package policies

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// ticker writes a line every period, count times, then ends its answer.
type ticker struct {
	reactor.BaseProtocol
	r      *reactor.Reactor
	period time.Duration
	count  int
	conn   bool // its transport is the connection itself
}

func (p *ticker) ConnectionMade() {
	_, p.conn = p.Transport.(*reactor.Conn)
	p.tick()
}

func (p *ticker) tick() {
	if p.count == 0 {
		p.Transport.LoseConnection()
		return
	}
	p.count--
	p.Transport.Write([]byte("tick\n"))
	p.r.CallLater(p.period, p.tick)
}

// Over a real socket, on every backend: a server that writes a line every
// 40 ms for 600 ms to a client that says nothing outlives an IdleTimeout
// of 100 ms, and its client reads the whole answer and a clean end. The
// protocol writes to the connection itself, not to a wrapper.
func TestIdleTimeoutSparesAWritingServer(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) {
			r := reactortest.RealReactor(t, backend)
			var p *ticker
			var timedOut int
			f := &IdleTimeout{Period: 100 * time.Millisecond, TimedOut: func(net.Addr) { timedOut++ },
				Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
					p = &ticker{r: r, period: 40 * time.Millisecond, count: 15}
					return p
				})}
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan string, 1)
			go func() {
				defer r.CallFromGoroutine(func() { r.Stop() })
				c, err := net.Dial("tcp", port.Addr().String())
				if err != nil {
					t.Error(err)
					got <- ""
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				b, err := io.ReadAll(c)
				if err != nil {
					t.Error(err)
				}
				got <- string(b)
			}()
			if err := r.Run(); err != nil {
				t.Fatal(err)
			}
			if answer := <-got; answer != strings.Repeat("tick\n", 15) || timedOut != 0 {
				t.Errorf("the client read %q, timed out %d times; want 15 ticks and no timeout", answer, timedOut)
			}
			if p == nil || !p.conn {
				t.Error("the protocol's transport is not the connection")
			}
		})
	}
}
