package reactortest

import "gyre/reactor"

// The write buffer of a StringTransport with HoldWrites: the bytes the
// protocol wrote that the test, playing the peer, has not read yet. It
// paces a push producer as a reactor.Conn paces one by the bytes its
// socket refused: paused when the buffer holds more than the high water
// mark, resumed when it holds no more than the low one.

// Buffered returns how many written bytes the test has not drained yet,
// as Conn.Buffered counts those the socket has not taken. It is 0 without
// HoldWrites: the peer has read everything.
func (t *StringTransport) Buffered() int { return t.held }

// SetWriteBufferLimits sets the high and low water marks that pause and
// resume a push producer, as Conn.SetWriteBufferLimits does (defaults
// reactor.DefaultHighWater and reactor.DefaultLowWater; high is at least
// 1, and low is clamped to [0, high]). They act only with HoldWrites. A
// protocol that sets its own marks sets these, as it would a Conn's.
func (t *StringTransport) SetWriteBufferLimits(high, low int) {
	t.high = max(high, 1)
	t.low = min(max(low, 0), t.high)
}

// marks returns the water marks in force.
func (t *StringTransport) marks() (high, low int) {
	if t.high == 0 {
		return reactor.DefaultHighWater, reactor.DefaultLowWater
	}
	return t.high, t.low
}

// Drain takes up to n bytes out of the buffer, as the peer reading them
// would, and returns how many it took: all of them if n is more than
// Buffered, none if n <= 0. Once the buffer holds no more than the low
// water mark, the push producer it paused is resumed, within the call; it
// may write again there, and be paused again. What is drained stays in
// Writes and Value, which record what was written, not what was read.
//
// A LoseWriteConnection made while bytes were held shuts the write side
// (WriteConnectionLost) once Drain has taken the last of them, as a Conn
// shuts it once its output has gone, unless LoseConnection was called
// meanwhile: a Conn then closes once drained, without shutting the write
// side alone. A LoseConnection's end waits the same way (see Disconnect).
func (t *StringTransport) Drain(n int) int {
	n = min(max(n, 0), t.held)
	t.held -= n
	t.resumeIfDrained()
	t.shutIfWaitedFor()
	return n
}

// ProducerPaused reports whether the buffer has paused the registered push
// producer and not resumed it yet. (ProducerState is the other direction:
// what the protocol asked of the transport as a producer of its input.)
func (t *StringTransport) ProducerPaused() bool { return t.pacedPaused }

// pauseIfFull pauses a push producer once the buffer holds more than the
// high water mark.
func (t *StringTransport) pauseIfFull() {
	if t.producer == nil || !t.streaming || t.pacedPaused {
		return
	}
	if high, _ := t.marks(); t.held > high {
		t.pacedPaused = true
		t.producer.(reactor.PushProducer).PauseProducing()
	}
}

// resumeIfDrained resumes the push producer the buffer paused once it
// holds no more than the low water mark. The flag is cleared before the
// call, so that the producer's writes from inside it can pause it again.
func (t *StringTransport) resumeIfDrained() {
	if !t.pacedPaused {
		return
	}
	if _, low := t.marks(); t.held <= low {
		t.pacedPaused = false
		t.producer.ResumeProducing()
	}
}
