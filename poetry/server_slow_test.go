package poetry

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// connect builds a protocol of f and starts it on a StringTransport that
// dates its writes on clock.
func connect(f reactor.Factory, clock *task.Clock) (reactor.Protocol, *reactortest.StringTransport) {
	t := &reactortest.StringTransport{Clock: clock}
	p := f.BuildProtocol(t.Peer())
	t.Connect(p)
	return p, t
}

// schedule lists a transport's writes as "ms:data", the milliseconds
// counted from start (the Unix epoch, where a new task.Clock starts,
// unless given).
func schedule(t *reactortest.StringTransport, start ...time.Time) string {
	origin := time.Unix(0, 0).UTC()
	if len(start) > 0 {
		origin = start[0]
	}
	var out []string
	for i, w := range t.Writes() {
		out = append(out, fmt.Sprintf("%d:%s", t.WriteTimes()[i].Sub(origin)/time.Millisecond, w))
	}
	return strings.Join(out, " ")
}

// Chunk k is due at connect + k×delay, whatever the lateness of earlier
// ones; the first goes at once; the close comes one delay after the last.
func TestSlowServerAbsoluteSchedule(t *testing.T) {
	clock := task.NewClock()
	f := NewSlowServerFactory(clock, []byte("abcdefghij"), 3, 100*time.Millisecond)
	_, tr := connect(f, clock)
	clock.Advance(100 * time.Millisecond) // on time: def at 100
	clock.Advance(150 * time.Millisecond) // the loop was late: ghi, due at 200, goes at 250
	clock.Advance(50 * time.Millisecond)  // j is still due at 300, not 350
	clock.Advance(99 * time.Millisecond)
	if at, closed := tr.ClosedAt(); closed {
		t.Fatalf("closed at %v, before one delay after the last chunk", at)
	}
	clock.Advance(time.Millisecond)
	want := "0:abc 100:def 250:ghi 300:j"
	if got := schedule(tr); got != want {
		t.Errorf("writes %q, want %q", got, want)
	}
	if at, closed := tr.ClosedAt(); !closed || !at.Equal(time.Unix(0, 0).Add(400*time.Millisecond)) || tr.Aborted() {
		t.Errorf("closed at %v (%v, aborted %v), want a clean close at 400ms", at, closed, tr.Aborted())
	}
}

// A loop very late catches up: each chunk goes as soon as it can, and
// those still ahead keep their times.
func TestSlowServerCatchesUp(t *testing.T) {
	clock := task.NewClock()
	f := NewSlowServerFactory(clock, []byte("aabbccddee"), 2, 100*time.Millisecond)
	_, tr := connect(f, clock)
	clock.Advance(350 * time.Millisecond)
	clock.Advance(50 * time.Millisecond)
	want := "0:aa 350:bb 350:cc 350:dd 400:ee"
	if got := schedule(tr); got != want {
		t.Errorf("writes %q, want %q", got, want)
	}
}

// Many clients share one timer; each keeps its own schedule; characters
// are counted the way ChunkLen counts them.
func TestSlowServerOneTimerForAll(t *testing.T) {
	clock := task.NewClock()
	f := NewSlowServerFactory(clock, []byte("naïve poem"), 3, 100*time.Millisecond)
	_, a := connect(f, clock)
	clock.Advance(30 * time.Millisecond)
	_, b := connect(f, clock)
	if n := len(clock.Pending()); n != 1 {
		t.Errorf("%d timers pending for 2 clients", n)
	}
	for range 40 {
		clock.Advance(10 * time.Millisecond)
	}
	if got, want := schedule(a), "0:naï 100:ve  200:poe 300:m"; got != want {
		t.Errorf("a: %q, want %q", got, want)
	}
	if got, want := schedule(b), "30:naï 130:ve  230:poe 330:m"; got != want {
		t.Errorf("b: %q, want %q", got, want)
	}
	if f.Clients() != 2 {
		t.Errorf("Clients() = %d", f.Clients())
	}
}

// A client that goes away is sent nothing more; when the last one goes,
// the timer is stopped.
func TestSlowServerStopsForGoneClients(t *testing.T) {
	clock := task.NewClock()
	var records []Served
	f := NewSlowServerFactory(clock, []byte("abcdefghij"), 2, 100*time.Millisecond,
		WithServeObserver(func(s Served) { records = append(records, s) }))
	pa, a := connect(f, clock)
	pb, b := connect(f, clock)
	clock.Advance(100 * time.Millisecond)
	pa.ConnectionLost(reactor.ErrConnectionDone) // a's client closed early
	clock.Advance(100 * time.Millisecond)
	if len(a.Writes()) != 2 || len(b.Writes()) != 3 {
		t.Errorf("writes a %v, b %v", a.Writes(), b.Writes())
	}
	pb.ConnectionLost(&reactor.ConnectionLostError{})
	if n := len(clock.Pending()); n != 0 {
		t.Errorf("%d timers pending with no client", n)
	}
	clock.Advance(time.Second)
	if len(b.Writes()) != 3 {
		t.Errorf("b written to after it went: %q", b.Writes())
	}
	if len(records) != 2 || !errors.Is(records[0].Err, ErrClientClosed) || records[0].Bytes != 4 ||
		!errors.Is(records[1].Err, reactor.ErrConnectionLost) || records[1].Bytes != 6 {
		t.Errorf("records %+v", records)
	}
	if records[0].Outcome() == "done" || !strings.HasPrefix(records[1].Outcome(), "lost: ") {
		t.Errorf("outcomes %q %q", records[0].Outcome(), records[1].Outcome())
	}
	// A new client starts a new schedule.
	_, c := connect(f, clock)
	clock.Advance(100 * time.Millisecond)
	if len(c.Writes()) != 2 {
		t.Errorf("new client: %q", c.Writes())
	}
}

// The complete poem, closed cleanly, is "done"; the record has the
// schedule's times.
func TestSlowServerRecordDone(t *testing.T) {
	clock := task.NewClock()
	var rec Served
	f := NewSlowServerFactory(clock, []byte("abcd"), 2, 100*time.Millisecond,
		WithServeObserver(func(s Served) { rec = s }))
	p, tr := connect(f, clock)
	clock.Advance(200 * time.Millisecond)
	if !tr.Disconnecting() {
		t.Fatal("not closed")
	}
	p.ConnectionLost(reactor.ErrConnectionDone)
	if rec.Err != nil || rec.Bytes != 4 || rec.Duration != 200*time.Millisecond || rec.Outcome() != "done" {
		t.Errorf("record %+v", rec)
	}
}

// The queue does not grow while the same clients cycle through it.
func TestSlowServerQueueStaysSmall(t *testing.T) {
	clock := task.NewClock()
	poem := []byte(strings.Repeat("x", 10000))
	f := NewSlowServerFactory(clock, poem, 1, time.Millisecond)
	for range 10 {
		connect(f, clock)
	}
	for range 5000 {
		clock.Advance(time.Millisecond)
	}
	if n := cap(f.queue); n > 64 {
		t.Errorf("queue array grew to %d for 10 clients", n)
	}
}

// A client that waited in the listen queue is served on the schedule of
// its connect, not of its accept: the first chunk goes at once, the next
// one a delay after the connect.
func TestSlowServerScheduleFromConnect(t *testing.T) {
	clock := task.NewClock()
	clock.Advance(time.Second)
	f := NewSlowServerFactory(clock, []byte("abcdefghij"), 5, 100*time.Millisecond)
	connected := clock.Now().Add(-30 * time.Millisecond)
	tr := &reactortest.StringTransport{Clock: clock, Queued: 30 * time.Millisecond}
	tr.Connect(f.BuildProtocol(nil))
	clock.Advance(70 * time.Millisecond)
	if got, want := schedule(tr, connected), "30:abcde 100:fghij"; got != want {
		t.Errorf("writes %q, want %q (times from the connect)", got, want)
	}
}

// A client whose handshake, as the kernel reports it, came before that of
// clients already waiting is due before them, and is served then: it does
// not wait for them, nor do the clients queued after it. (The kernel
// counts the wait in clock ticks, off by up to a tick either way, so a
// later client can look earlier; the real wait can be earlier too, when
// the loop served a tick while the client was in the listen queue.)
func TestSlowServerServesInDueOrder(t *testing.T) {
	clock := task.NewClock()
	f := NewSlowServerFactory(clock, []byte("abcdefghij"), 3, 100*time.Millisecond)
	_, first := connect(f, clock) // connected at 0: def due at 100
	clock.Advance(time.Millisecond)
	early := &reactortest.StringTransport{Clock: clock, Queued: 4 * time.Millisecond}
	early.Connect(f.BuildProtocol(nil)) // accepted at 1, connected at -3: def due at 97
	clock.Advance(time.Millisecond)
	_, third := connect(f, clock) // connected at 2: def due at 102
	for range 110 {
		clock.Advance(time.Millisecond)
	}
	for _, c := range []struct {
		name string
		tr   *reactortest.StringTransport
		want string
	}{
		{"first", first, "0:abc 100:def"},
		{"early", early, "1:abc 97:def"},
		{"third", third, "2:abc 102:def"},
	} {
		if got := schedule(c.tr); got != c.want {
			t.Errorf("%s client's writes %q, want %q", c.name, got, c.want)
		}
	}
}

// TestSlowProtocolIsSmall keeps a slow client's protocol in the 48-byte
// size class on 64-bit systems: ten thousand clients, ten thousand of them.
func TestSlowProtocolIsSmall(t *testing.T) {
	if sz := unsafe.Sizeof(slowProtocol{}); sz > 48 {
		t.Errorf("slowProtocol is %d bytes, want at most 48", sz)
	}
}
