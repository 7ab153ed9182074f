package reactortest

import (
	"strings"
	"testing"

	"gyre/reactor"
)

// pushProducer counts what the transport tells it and, when resumed,
// writes its next chunk, as a producer writing from ResumeProducing does.
type pushProducer struct {
	t                        reactor.Transport
	chunk                    []byte
	pauses, resumes, stopped int
}

func (p *pushProducer) PauseProducing() { p.pauses++ }
func (p *pushProducer) StopProducing()  { p.stopped++ }
func (p *pushProducer) ResumeProducing() {
	p.resumes++
	if p.chunk != nil {
		p.t.Write(p.chunk)
	}
}

// checkPaced fails the test unless the transport holds held bytes, the
// producer has been paused and resumed as many times as said, and
// ProducerPaused says whether it is paused now.
func checkPaced(t *testing.T, when string, st *StringTransport, p *pushProducer, held, pauses, resumes int, paused bool) {
	t.Helper()
	if st.Buffered() != held || p.pauses != pauses || p.resumes != resumes || st.ProducerPaused() != paused {
		t.Errorf("%s: Buffered %d, paused %d times, resumed %d, ProducerPaused %v; want %d, %d, %d, %v",
			when, st.Buffered(), p.pauses, p.resumes, st.ProducerPaused(), held, pauses, resumes, paused)
	}
}

// With HoldWrites, the writes fill the buffer and pause a push producer
// above the high water mark; draining to the low one resumes it, and not
// before.
func TestHoldWritesPacesPushProducer(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	st.SetWriteBufferLimits(10, 4)
	p := &pushProducer{t: st}
	if err := st.RegisterProducer(p, true); err != nil {
		t.Fatal(err)
	}
	st.Write([]byte("12345678"))
	st.Write([]byte("90"))
	checkPaced(t, "at the high water mark", st, p, 10, 0, 0, false)
	st.WriteSequence([][]byte{[]byte("a"), nil})
	checkPaced(t, "over the high water mark", st, p, 11, 1, 0, true)
	st.Write([]byte("more"))
	checkPaced(t, "written to while paused", st, p, 15, 1, 0, true)
	if n := st.Drain(10); n != 10 {
		t.Errorf("Drain(10) took %d", n)
	}
	checkPaced(t, "drained to above the low mark", st, p, 5, 1, 0, true)
	st.Drain(1)
	checkPaced(t, "drained to the low mark", st, p, 4, 1, 1, false)
	if st.String() != "1234567890amore" {
		t.Errorf("Value %q: draining lost what was written", st.String())
	}
}

// A producer resumed by Drain may write from inside ResumeProducing, and
// be paused again there, as on a Conn.
func TestDrainResumesProducerThatWritesAgain(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	st.SetWriteBufferLimits(5, 0)
	p := &pushProducer{t: st, chunk: []byte("abcdef")}
	st.RegisterProducer(p, true)
	st.Write(p.chunk) // the producer's first chunk, written as it starts
	checkPaced(t, "first chunk", st, p, 6, 1, 0, true)
	st.Drain(st.Buffered())
	checkPaced(t, "drained, second chunk written", st, p, 6, 2, 1, true)
}

// RegisterProducer pauses a push producer at once if the buffer is over
// the mark already; a pull producer is never paused.
func TestHoldWritesRegistration(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	st.SetWriteBufferLimits(2, 1)
	st.Write([]byte("abc"))
	pull := &pullProducer{}
	st.RegisterProducer(pull, false)
	if st.ProducerPaused() {
		t.Error("a pull producer was paused")
	}
	st.UnregisterProducer()
	p := &pushProducer{t: st}
	st.RegisterProducer(p, true)
	checkPaced(t, "registered over the mark", st, p, 3, 1, 0, true)
	st.UnregisterProducer()
	if st.ProducerPaused() {
		t.Error("ProducerPaused true with no producer")
	}
	st.Drain(3)
	checkPaced(t, "drained after UnregisterProducer", st, p, 0, 1, 0, false)
}

// Without HoldWrites the peer reads everything: nothing is held and the
// producer never paused, however much is written.
func TestWithoutHoldWritesNothingIsHeld(t *testing.T) {
	st := NewStringTransport()
	st.SetWriteBufferLimits(1, 0)
	p := &pushProducer{t: st}
	st.RegisterProducer(p, true)
	st.Write([]byte(strings.Repeat("x", 1<<20)))
	checkPaced(t, "1 MiB written", st, p, 0, 0, 0, false)
	if n := st.Drain(10); n != 0 {
		t.Errorf("Drain took %d bytes of an empty buffer", n)
	}
}

// The defaults are the reactor's, and bad marks are clamped as a Conn
// clamps them.
func TestWriteBufferMarks(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	p := &pushProducer{t: st}
	st.RegisterProducer(p, true)
	st.Write(make([]byte, reactor.DefaultHighWater))
	checkPaced(t, "at DefaultHighWater", st, p, reactor.DefaultHighWater, 0, 0, false)
	st.Write([]byte("x"))
	checkPaced(t, "over DefaultHighWater", st, p, reactor.DefaultHighWater+1, 1, 0, true)
	st.Drain(st.Buffered() - reactor.DefaultLowWater)
	checkPaced(t, "at DefaultLowWater", st, p, reactor.DefaultLowWater, 1, 1, false)

	for _, c := range []struct{ high, low, wantHigh, wantLow int }{
		{0, -1, 1, 0},
		{-5, 3, 1, 1},
		{5, 9, 5, 5},
	} {
		st.SetWriteBufferLimits(c.high, c.low)
		if h, l := st.marks(); h != c.wantHigh || l != c.wantLow {
			t.Errorf("SetWriteBufferLimits(%d, %d): marks %d, %d; want %d, %d", c.high, c.low, h, l, c.wantHigh, c.wantLow)
		}
	}
}

// Drain takes what it is asked for, at most what is held, and nothing for
// n <= 0.
func TestDrainBounds(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	st.Write([]byte("0123456789"))
	for _, c := range []struct{ n, took, left int }{
		{-1, 0, 10}, {0, 0, 10}, {3, 3, 7}, {100, 7, 0}, {1, 0, 0},
	} {
		if took := st.Drain(c.n); took != c.took || st.Buffered() != c.left {
			t.Errorf("Drain(%d) took %d, left %d; want %d, %d", c.n, took, st.Buffered(), c.took, c.left)
		}
	}
}

// The end of the connection stops the producer; a later Drain does not
// resume it, and writes after the end are not held.
func TestHoldWritesAfterEnd(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	st.Connect(&keeper{})
	st.SetWriteBufferLimits(1, 0)
	p := &pushProducer{t: st}
	st.RegisterProducer(p, true)
	st.Write([]byte("ab"))
	st.ResetPeer()
	st.Write([]byte("late"))
	st.Drain(10)
	if p.stopped != 1 || p.resumes != 0 || st.Buffered() != 0 {
		t.Errorf("after the end: stopped %d, resumed %d, Buffered %d; want 1, 0, 0", p.stopped, p.resumes, st.Buffered())
	}
}

// With HoldWrites, closing waits for the held bytes as a Conn's close
// waits for its output: LoseConnection's end comes from Disconnect only
// once Drain has taken everything, and LoseWriteConnection shuts the
// write side when the last byte is drained.
func TestHoldWritesCloseWaitsForTheBuffer(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	k := &keeper{}
	st.Connect(k)
	st.Write([]byte("the end of the poem"))
	st.LoseConnection()
	if st.Disconnect() || len(k.lost) != 0 {
		t.Fatalf("Disconnect with 19 bytes held: ended with %v", k.lost)
	}
	st.Drain(10)
	if st.Disconnect() {
		t.Fatal("Disconnect with 9 bytes held ended the connection")
	}
	st.Drain(9)
	if !st.Disconnect() || len(k.lost) != 1 {
		t.Fatalf("Disconnect once drained: lost %v", k.lost)
	}

	st = &StringTransport{HoldWrites: true}
	h := &halfCloser{}
	st.Connect(h)
	st.Write([]byte("last words"))
	st.LoseWriteConnection()
	if h.writeLost != 0 {
		t.Fatal("the write side shut with 10 bytes held")
	}
	st.Drain(10)
	if h.writeLost != 1 || !st.WriteClosed() {
		t.Errorf("once drained: WriteConnectionLost %d times, WriteClosed %v; want 1, true", h.writeLost, st.WriteClosed())
	}
}

// A LoseConnection made while a LoseWriteConnection waits for the buffer
// closes the connection once it has drained, without WriteConnectionLost,
// as a Conn does (its close, once drained, takes precedence over the
// write side's shutdown).
func TestHoldWritesCloseAfterShutWait(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	h := &halfCloser{}
	st.Connect(h)
	st.Write([]byte("last words"))
	st.LoseWriteConnection()
	st.LoseConnection()
	st.Drain(10)
	if h.writeLost != 0 {
		t.Errorf("WriteConnectionLost %d times after LoseConnection; want 0, as from a Conn", h.writeLost)
	}
	if !st.Disconnect() || len(h.lost) != 1 || h.lost[0] != reactor.ErrConnectionDone {
		t.Errorf("Disconnect once drained: lost %v; want [ErrConnectionDone]", h.lost)
	}
}

// The peer's end of stream while a LoseWriteConnection waits for the
// buffer reaches a protocol that takes half-closes as ReadConnectionLost,
// as from a Conn, whose write side is not shut until its output has gone:
// the held bytes still reach the peer, then WriteConnectionLost, then the
// clean end. It ended the connection at once, the bytes undelivered.
func TestHoldWritesPeerEndDuringShutWait(t *testing.T) {
	st := &StringTransport{HoldWrites: true}
	h := &halfCloser{}
	st.Connect(h)
	st.Write([]byte("last words"))
	st.LoseWriteConnection()
	st.ClosePeer()
	if len(h.lost) != 0 || h.readLost != 1 {
		t.Fatalf("the peer's end with 10 bytes held: lost %v, ReadConnectionLost %d times; want none, 1", h.lost, h.readLost)
	}
	st.Drain(10)
	if h.writeLost != 1 || !st.Disconnect() || len(h.lost) != 1 || h.lost[0] != reactor.ErrConnectionDone {
		t.Errorf("once drained: WriteConnectionLost %d times, lost %v; want 1, [ErrConnectionDone]", h.writeLost, h.lost)
	}
}
