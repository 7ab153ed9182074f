package reactor

import (
	"errors"
	"fmt"
	"net"
	"testing"
)

// TestPeerIsMadeOnce: the peer's address is made with the connection and
// every Peer call returns it, allocating nothing. Made afresh per call, it
// was garbage twice per connection (BuildProtocol, then the record of how
// the connection ended), enough to raise the heap of a server with ten
// thousand clients by a megabyte.
func TestPeerIsMadeOnce(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	got := make(chan error, 1)
	check := func(c *Conn, built net.Addr) {
		first := c.Peer()
		allocs := testing.AllocsPerRun(100, func() { _ = c.Peer() })
		switch {
		case first != built:
			got <- fmt.Errorf("Peer returned %v, BuildProtocol was given %v: want the same value", first, built)
		case c.Peer() != first:
			got <- errors.New("two Peer calls returned different values")
		case allocs != 0:
			got <- fmt.Errorf("Peer allocated %.0f times a call, want 0", allocs)
		default:
			got <- nil
		}
	}
	port := listen(t, r, FactoryFunc(func(addr net.Addr) Protocol {
		return &hookServer{made: func(c *Conn) { check(c, addr) }}
	}))
	go func() {
		conn, err := net.Dial("tcp", port.Addr().String())
		if err == nil {
			defer conn.Close()
		}
		err = <-got
		r.CallFromGoroutine(func() { r.Stop() })
		got <- err
	}()
	run(t, r)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// hookServer hands its Conn to made when the connection starts.
type hookServer struct {
	BaseProtocol
	made func(*Conn)
}

func (h *hookServer) ConnectionMade() { h.made(h.Transport.(*Conn)) }
