package policies

import (
	"net"
	"testing"

	"gyre/poetry"
	"gyre/reactor"
	"gyre/task"
)

// bufferedTransport is a fakeTransport with a write buffer, which holds
// backlog bytes.
type bufferedTransport struct {
	fakeTransport
	backlog   int
	high, low int
}

func (t *bufferedTransport) Buffered() int                      { return t.backlog }
func (t *bufferedTransport) SetWriteBufferLimits(high, low int) { t.high, t.low = high, low }

// A throttled protocol sees what its connection buffers: a poem server
// whose client is cut off with part of the poem unsent counts only what
// left. The throttle's transport hid Buffered, and the record of a client
// that had read 4 MB of a 46 MB poem said all of it was sent.
func TestThrottleKeepsBuffered(t *testing.T) {
	poem := []byte("a poem of forty bytes, give or take one\n")
	var rec poetry.Served
	fast := poetry.NewFastServerFactory(poem, poetry.WithServeObserver(func(s poetry.Served) { rec = s }))
	f := &Throttle{Factory: fast, Clock: task.NewClock(), WriteLimit: 1 << 20}
	tr := &bufferedTransport{}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	tr.backlog = 30 // the client stopped reading, then went away
	p.ConnectionLost(reactor.ErrConnectionAborted)
	if want := int64(len(poem) - 30); rec.Bytes != want {
		t.Errorf("the record counts %d bytes sent, want %d", rec.Bytes, want)
	}

	// The water marks reach the connection too; a transport that cannot
	// say what it buffers does not seem to say 0.
	var inner *recorder
	f = &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { inner = &recorder{}; return inner }),
		Clock: task.NewClock()}
	p = f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	b, ok := inner.Transport.(bufferer)
	if !ok {
		t.Fatal("the throttle's transport hides Buffered and SetWriteBufferLimits")
	}
	b.SetWriteBufferLimits(100, 10)
	if tr.high != 100 || tr.low != 10 {
		t.Errorf("water marks %d, %d reached the connection, want 100, 10", tr.high, tr.low)
	}
	p = f.BuildProtocol(tr.Peer())
	p.MakeConnection(&fakeTransport{})
	if _, ok := inner.Transport.(interface{ Buffered() int }); ok {
		t.Error("over a transport without Buffered, the throttle's has one")
	}
}
