package poetry

import (
	"strings"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// fullTransport is a StringTransport whose socket can be made full: what
// is written while full stays in the buffer, and a registered producer is
// paused while the buffer holds more than the high-water mark, as a Conn
// does (a write, or the registration itself, can pause it); drain empties
// the buffer and resumes it.
type fullTransport struct {
	reactortest.StringTransport
	full     bool
	buffered int
	producer reactor.PushProducer
	high     int
}

func (f *fullTransport) Buffered() int                      { return f.buffered }
func (f *fullTransport) SetWriteBufferLimits(high, low int) { f.high = high }
func (f *fullTransport) RegisterProducer(p reactor.Producer, streaming bool) error {
	f.producer = p.(reactor.PushProducer)
	if f.buffered > f.high {
		f.producer.PauseProducing()
	}
	return nil
}
func (f *fullTransport) UnregisterProducer() { f.producer = nil }
func (f *fullTransport) Write(b []byte) {
	f.StringTransport.Write(b)
	if f.full {
		f.buffered += len(b)
		if f.producer != nil && f.buffered > f.high {
			f.producer.PauseProducing()
		}
	}
}
func (f *fullTransport) drain() {
	f.full, f.buffered = false, 0
	f.producer.ResumeProducing()
}

// A slow client whose socket is full stops being written to (its schedule
// pauses, nothing piles up), the others go on; when its socket drains it
// goes on from then (the chunk due at the drain goes at once), one chunk a
// delay, with no burst to catch up.
func TestSlowServerPausesOnAFullSocket(t *testing.T) {
	clock := task.NewClock()
	// Two characters a chunk: a chunk refused whole is more than the
	// high-water mark of one byte.
	f := NewSlowServerFactory(clock, []byte(strings.Repeat("x", 60)), 2, 100*time.Millisecond)
	start := time.Unix(0, 0).UTC()
	stalled := &fullTransport{StringTransport: reactortest.StringTransport{Clock: clock}}
	p := f.BuildProtocol(stalled.Peer())
	p.MakeConnection(stalled)
	p.ConnectionMade() // xx at 0
	if stalled.producer != nil {
		t.Fatal("the slow protocol registered as its transport's producer while its socket took every chunk (state kept for nothing)")
	}
	_, other := connect(f, clock)
	clock.Advance(100 * time.Millisecond) // xx at 100 for both
	stalled.full = true
	clock.Advance(100 * time.Millisecond) // xx at 200 for both; the stalled one's fills the socket
	if stalled.producer == nil || stalled.high != slowHighWater {
		t.Fatalf("a chunk stayed in the buffer, and the slow protocol did not register as its transport's producer (high-water %d)", stalled.high)
	}
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
	want := "0:xx 100:xx 200:xx 1200:xx 1300:xx 1400:xx 1500:xx"
	if got := schedule(&stalled.StringTransport, start); got != want {
		t.Errorf("stalled client's chunks %s, want %s (resumed on schedule from the drain, no burst)", got, want)
	}
}

// A client paused and resumed before the tick met its entry (a reactor
// that batches its writes pauses a producer at the end of the turn, after
// the tick queued it; the socket may drain before the tick is run) keeps
// one entry, and goes on from its resume: the entry, met before the client
// is due, is queued again at its due time.
func TestSlowServerResumedWhileQueued(t *testing.T) {
	clock := task.NewClock()
	f := NewSlowServerFactory(clock, []byte("abcdefghijkl"), 2, 100*time.Millisecond)
	var resume func()
	// Scheduled before the client's tick, so it runs first when both are
	// due: the resume comes before the tick, at 150 for a tick due at 100.
	clock.CallLater(100*time.Millisecond, func() { resume() })
	p, tr := connect(f, clock) // ab at 0, cd due at 100
	sp := p.(*slowProtocol)
	clock.Advance(50 * time.Millisecond)
	sp.PauseProducing()
	resume = sp.ResumeProducing
	clock.Advance(100 * time.Millisecond) // the loop comes round at 150: resume, then the tick
	if n := len(f.queue); n != 1 {
		t.Fatalf("%d queue entries for one client after a pause and resume, want 1", n)
	}
	clock.Advance(50 * time.Millisecond)
	clock.Advance(100 * time.Millisecond)
	if got, want := schedule(tr), "0:ab 200:cd 300:ef"; got != want {
		t.Errorf("writes %q, want %q (nothing at the late tick of 150: the client resumed then, and its next chunk is due at 200)", got, want)
	}
	if n := len(f.queue); n != 1 {
		t.Errorf("%d queue entries for one client, want 1", n)
	}
}
