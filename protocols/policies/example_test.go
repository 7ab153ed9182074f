package policies_test

import (
	"fmt"
	"net"
	"time"

	"gyre/protocols/policies"
	"gyre/reactor"
	"gyre/task"
)

// Session is a protocol with an idle timeout: Timeout embedded, reset on
// each input.
type Session struct {
	reactor.BaseProtocol
	policies.Timeout
}

func (s *Session) ConnectionMade()      { s.SetTimeout(30 * time.Second) }
func (s *Session) DataReceived([]byte)  { s.ResetTimeout() }
func (s *Session) ConnectionLost(error) { s.SetTimeout(0) }
func (s *Session) timedOut(clock *task.Clock) {
	fmt.Println("idle for 30s at", clock.Now().Sub(time.Unix(0, 0)))
}

// A timeout driven by a fake clock, as a test drives it.
func ExampleTimeout() {
	clock := task.NewClock()
	s := &Session{}
	s.Clock = clock
	s.OnTimeout = func() { s.timedOut(clock) }
	s.ConnectionMade()
	clock.Advance(20 * time.Second)
	s.DataReceived([]byte("still here"))
	clock.Advance(29 * time.Second)
	fmt.Println("nothing yet at", clock.Now().Sub(time.Unix(0, 0)))
	clock.Advance(time.Second)
	// Output:
	// nothing yet at 49s
	// idle for 30s at 50s
}

// At most two connections per client address, and a word for the others.
func ExampleLimit() {
	serve := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })
	limit := &policies.Limit{Factory: serve, MaxPerPeer: 2,
		Overflow: func(net.Addr) reactor.Protocol { return &busy{} }}
	peer := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 50000}
	for range 3 {
		p := limit.BuildProtocol(peer)
		_, refused := p.(*busy)
		fmt.Println("refused:", refused)
	}
	fmt.Println("open:", limit.Open(), "refused:", limit.Refused)
	// Output:
	// refused: false
	// refused: false
	// refused: true
	// open: 2 refused: 1
}

// busy tells a refused client why, then closes.
type busy struct{ reactor.BaseProtocol }

func (b *busy) ConnectionMade() {
	b.Transport.Write([]byte("too many connections from your address\r\n"))
	b.Transport.LoseConnection()
}
