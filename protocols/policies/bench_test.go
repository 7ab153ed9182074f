package policies

import (
	"math"
	"net"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/task"
)

// ResetTimeout runs on every input of a protocol with a timeout: it moves
// the pending timer, with no allocation.
func BenchmarkResetTimeout(b *testing.B) {
	r, err := reactor.New()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for _, c := range []struct {
		name  string
		clock reactor.Clock
	}{{"reactor", r}, {"task.Clock", task.NewClock()}} {
		b.Run(c.name, func(b *testing.B) {
			tm := &Timeout{Clock: c.clock}
			tm.SetTimeout(time.Minute)
			b.ReportAllocs()
			for range b.N {
				tm.ResetTimeout()
			}
			tm.SetTimeout(0)
		})
	}
}

// The per-read cost of the wrappers: an idle timeout, a throttle counting
// reads.
func BenchmarkWrappedDataReceived(b *testing.B) {
	clock := task.NewClock()
	inner := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &recorder{} })
	data := make([]byte, 1024)
	for _, c := range []struct {
		name string
		f    reactor.Factory
	}{
		{"IdleTimeout", &IdleTimeout{Factory: inner, Clock: clock, Period: time.Minute}},
		{"Throttle", &Throttle{Factory: inner, Clock: clock, ReadLimit: math.MaxInt >> 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			tr := &fakeTransport{}
			p := c.f.BuildProtocol(tr.Peer())
			p.MakeConnection(tr)
			p.ConnectionMade()
			b.ReportAllocs()
			for range b.N {
				p.DataReceived(data)
			}
			p.ConnectionLost(reactor.ErrConnectionDone)
		})
	}
}

// The per-write cost of the throttle's transport, which counts the bytes.
// (IdleTimeout adds nothing to a write: the connection counts its writes
// itself, reactor.WriteCounter.)
func BenchmarkThrottledWrite(b *testing.B) {
	inner := &recorder{}
	tr := &fakeTransport{}
	f := &Throttle{Factory: reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return inner }),
		Clock: task.NewClock(), WriteLimit: math.MaxInt >> 1}
	p := f.BuildProtocol(tr.Peer())
	p.MakeConnection(tr)
	p.ConnectionMade()
	data := make([]byte, 1024)
	b.ReportAllocs()
	for range b.N {
		inner.Transport.Write(data)
	}
	p.ConnectionLost(reactor.ErrConnectionDone)
}

// A timeout whose period runs out on a connection that was busy meanwhile
// sets its timer again for the rest of the period: the same timer, so a
// busy connection's timeout allocates nothing however long it lives.
func TestBusyTimeoutAllocatesNothing(t *testing.T) {
	clock := task.NewClock()
	fired := false
	tm := &Timeout{Clock: clock, OnTimeout: func() { fired = true }}
	tm.SetTimeout(10 * time.Millisecond)
	// Input every 5 ms: every other step ends a period, which finds the
	// connection not idle and sets the timer again.
	allocs := testing.AllocsPerRun(100, func() {
		clock.Advance(5 * time.Millisecond)
		tm.ResetTimeout()
	})
	if fired {
		t.Fatal("a busy connection timed out")
	}
	if allocs != 0 {
		t.Errorf("%.1f allocations per period, want 0", allocs)
	}
	clock.Advance(10 * time.Millisecond)
	if !fired {
		t.Error("an idle connection did not time out")
	}
}
