package reactor

import (
	"net"
	"syscall"
	"testing"
)

// noDelayOf reads TCP_NODELAY from a socket.
func noDelayOf(t testing.TB, fd int) int {
	t.Helper()
	v, err := syscall.GetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A connection accepted on a WithNoDelay port starts with Nagle off, and
// SetNoDelay keeps the state it knows in step with the socket.
func TestListenWithNoDelay(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []ListenOption
		want int
	}{
		{"WithNoDelay", []ListenOption{WithNoDelay()}, 1},
		{"default", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			var got []int
			f := FactoryFunc(func(net.Addr) Protocol {
				return &recorder{onMade: func(p *recorder) {
					c := p.conn()
					got = append(got, noDelayOf(t, c.Fd()))
					c.SetNoDelay(false)
					got = append(got, noDelayOf(t, c.Fd()))
					c.SetNoDelay(true)
					got = append(got, noDelayOf(t, c.Fd()))
					c.AbortConnection()
					r.Stop()
				}}
			})
			port := listen(t, r, f, tc.opts...)
			go func() {
				if c, err := net.Dial("tcp", port.Addr().String()); err == nil {
					defer c.Close()
					c.Read(make([]byte, 1))
				}
			}()
			run(t, r)
			if want := []int{tc.want, 0, 1}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("TCP_NODELAY at accept, after SetNoDelay(false), after SetNoDelay(true): %v, want %v", got, want)
			}
		})
	}
}

// slowStart is what the slow poetry server does when a client connects:
// Nagle off, one small write; then it closes at once, so that one op is
// one connection.
type slowStart struct{ t Transport }

func (p *slowStart) MakeConnection(t Transport) { p.t = t }
func (p *slowStart) ConnectionMade() {
	p.t.(TCPTransport).SetNoDelay(true)
	p.t.Write(fastPoem[:10])
	p.t.LoseConnection()
}
func (p *slowStart) DataReceived([]byte)  {}
func (p *slowStart) ConnectionLost(error) {}

// BenchmarkAcceptNoDelay: one op is one connection whose protocol turns
// Nagle off and writes 10 bytes; with WithNoDelay the setsockopt is made
// once on the listener instead of once per connection.
func BenchmarkAcceptNoDelay(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []ListenOption
	}{{"per-connection", nil}, {"WithNoDelay", []ListenOption{WithNoDelay()}}} {
		b.Run(tc.name, func(b *testing.B) {
			r, _ := newReactor(b, DefaultBackend())
			port := listen(b, r, FactoryFunc(func(net.Addr) Protocol { return &slowStart{} }), tc.opts...)
			benchFetches(b, r, port.Addr(), nil, 10)
		})
	}
}

// With Nagle off, a write in ConnectionMade leaves at once: it is not
// held back with MSG_MORE (which would cost a setsockopt to release when
// the connection stays open).
func TestNoDelayWritesAreNotHeld(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []ListenOption
		held bool
	}{
		{"WithNoDelay", []ListenOption{WithNoDelay()}, false},
		{"default", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend(), directWrites) // what a direct write holds back
			var held bool
			f := FactoryFunc(func(net.Addr) Protocol {
				return &recorder{onMade: func(p *recorder) {
					c := p.conn()
					c.Write([]byte("first chunk"))
					held = c.flags&fHeld != 0
					c.AbortConnection()
					r.Stop()
				}}
			})
			port := listen(t, r, f, tc.opts...)
			go func() {
				if c, err := net.Dial("tcp", port.Addr().String()); err == nil {
					defer c.Close()
					c.Read(make([]byte, 1))
				}
			}()
			run(t, r)
			if held != tc.held {
				t.Errorf("write in ConnectionMade held back: %v, want %v", held, tc.held)
			}
		})
	}
}
