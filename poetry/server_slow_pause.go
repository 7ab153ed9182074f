package poetry

import "gyre/reactor"

// Back-pressure of the slow server. A client that does not read fills its
// socket; a server that went on writing on schedule would pile the rest of
// the poem up in the connection's buffer (a 16 MB poem at 64 KiB a tick
// is gigabytes for thirty such clients). So each client registers itself
// as its connection's push producer with a high-water mark of one byte:
// the first chunk the socket does not take whole pauses the client's
// schedule (it leaves the factory's queue), and the connection resumes it
// once that chunk has gone. The chunk waiting is lent to the connection
// (WriteShared), not copied, so a stalled client costs no buffer at all.
// A resumed client's schedule starts again from the moment it resumed: it
// does not catch up in a burst.

// slowWaterMarks: pause as soon as anything waits in the buffer, resume
// once it is empty.
const slowHighWater, slowLowWater = 1, 0

// watchBuffer registers p as the producer of its connection, where the
// transport paces producers by its buffer, once a chunk has stayed in the
// buffer: the registration (RegisterProducer pauses p at once if the
// buffer is over the mark) costs the connection its producer state, some
// 128 bytes, which nearly every client, reading as it should, never
// needs. Ten thousand clients would hold over a megabyte of it for
// nothing. Registered then or from the start, the client pauses at the
// same point: the first chunk the socket refuses.
func (p *slowProtocol) watchBuffer() {
	if p.watched {
		return
	}
	b, ok := p.t.(bufferWatcher)
	if !ok || b.Buffered() == 0 {
		return
	}
	p.watched = true
	b.SetWriteBufferLimits(slowHighWater, slowLowWater)
	p.t.RegisterProducer(p, true)
}

// bufferWatcher is a transport that paces producers by its buffer.
type bufferWatcher interface {
	Buffered() int
	SetWriteBufferLimits(high, low int)
}

// PauseProducing takes p out of the schedule: the tick that meets it in
// the queue drops it.
func (p *slowProtocol) PauseProducing() {
	switch p.state {
	case slowSending, slowClosing:
		p.paused = p.state
		p.state = slowPaused
	}
}

// ResumeProducing puts p back in the schedule, due now at the earliest.
// (If the tick has not met p's entry since the pause, the entry is still
// queued, and push leaves it there: run queues it again at the new due
// time when it comes up.)
func (p *slowProtocol) ResumeProducing() {
	if p.state != slowPaused {
		return
	}
	p.state = p.paused
	p.dueAtLeast(p.f.now())
	p.f.push(p)
}

// dueAtLeast moves p's next step to the first point of its schedule
// (connect time + k × delay) at or after t, so that a client resumed
// after a pause goes on from there, with no burst to catch up. The
// connect time itself stays, for the log's duration.
func (p *slowProtocol) dueAtLeast(t int64) {
	if d := int64(p.f.delay); d > 0 && p.due() < t {
		p.steps = uint32((t - p.start + d - 1) / d)
	}
}

// StopProducing: the connection is gone; ConnectionLost does the rest.
func (p *slowProtocol) StopProducing() {}

var _ reactor.PushProducer = (*slowProtocol)(nil)
