package poetry

import (
	"strings"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// fullTransport is a StringTransport whose socket can be made full: a write
// while full pauses the registered producer, as a Conn above its
// high-water mark does, and drain resumes it.
type fullTransport struct {
	reactortest.StringTransport
	full     bool
	producer reactor.PushProducer
	high     int
}

func (f *fullTransport) SetWriteBufferLimits(high, low int) { f.high = high }
func (f *fullTransport) RegisterProducer(p reactor.Producer, streaming bool) error {
	f.producer = p.(reactor.PushProducer)
	return nil
}
func (f *fullTransport) UnregisterProducer() { f.producer = nil }
func (f *fullTransport) Write(b []byte) {
	f.StringTransport.Write(b)
	if f.full && f.producer != nil {
		f.producer.PauseProducing()
	}
}
func (f *fullTransport) drain() {
	f.full = false
	f.producer.ResumeProducing()
}

// A slow client whose socket is full stops being written to (its schedule
// pauses, nothing piles up), the others go on; when its socket drains it
// goes on from then (behind the clients already waiting: at most one delay
// later), one chunk a delay, with no burst to catch up.
func TestSlowServerPausesOnAFullSocket(t *testing.T) {
	clock := task.NewClock()
	f := NewSlowServerFactory(clock, []byte(strings.Repeat("x", 30)), 1, 100*time.Millisecond)
	start := time.Unix(0, 0).UTC()
	stalled := &fullTransport{StringTransport: reactortest.StringTransport{Clock: clock}}
	p := f.BuildProtocol(stalled.Peer())
	p.MakeConnection(stalled)
	p.ConnectionMade() // x at 0
	if stalled.producer == nil || stalled.high != slowHighWater {
		t.Fatalf("the slow protocol did not register as its transport's producer (high-water %d)", stalled.high)
	}
	_, other := connect(f, clock)
	clock.Advance(100 * time.Millisecond) // x at 100 for both
	stalled.full = true
	clock.Advance(100 * time.Millisecond) // x at 200 for both; the stalled one's fills the socket
	for range 10 {
		clock.Advance(100 * time.Millisecond) // the other goes on; nothing for the stalled one
	}
	if got := len(stalled.Writes()); got != 3 {
		t.Fatalf("a client with a full socket was written %d chunks, want 3: %s", got, schedule(&stalled.StringTransport, start))
	}
	if got := len(other.Writes()); got != 13 {
		t.Errorf("the other client got %d chunks, want 13: %s", got, schedule(other, start))
	}
	stalled.drain() // at 1200
	clock.Advance(0)
	for range 3 {
		clock.Advance(100 * time.Millisecond)
	}
	want := "0:x 100:x 200:x 1300:x 1400:x 1500:x"
	if got := schedule(&stalled.StringTransport, start); got != want {
		t.Errorf("stalled client's chunks %s, want %s (resumed on schedule from the drain, no burst)", got, want)
	}
}
