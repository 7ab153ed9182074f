package portforward

import (
	"net"
	"testing"
	"time"

	"gyre/reactor"
)

// The relay's work per read: count it and write it to the other side.
func BenchmarkSideDataReceived(b *testing.B) {
	a, c := &Side{}, &Side{}
	a.MakeConnection(discard{})
	c.MakeConnection(discard{})
	a.peer, c.peer = c, a
	data := make([]byte, 64<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		a.DataReceived(data)
	}
}

// discard is a transport that drops everything.
type discard struct{}

func (discard) Write([]byte)                                  {}
func (discard) WriteSequence([][]byte)                        {}
func (discard) LoseConnection()                               {}
func (discard) AbortConnection()                              {}
func (discard) Disconnecting() bool                           { return false }
func (discard) Peer() net.Addr                                { return nil }
func (discard) Host() net.Addr                                { return nil }
func (discard) RegisterProducer(reactor.Producer, bool) error { return nil }
func (discard) UnregisterProducer()                           {}
func (discard) PauseProducing()                               {}
func (discard) ResumeProducing()                              {}
func (discard) StopProducing()                                {}
func (discard) LoseWriteConnection()                          {}
func (discard) SetNoDelay(bool) error                         { return nil }
func (discard) SetKeepAlive(bool) error                       { return nil }
func (discard) SetKeepAlivePeriod(time.Duration) error        { return nil }
