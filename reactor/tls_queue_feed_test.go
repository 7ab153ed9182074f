package reactor

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sharingPuller is a pull producer whose first ResumeProducing hands its
// whole poem to WriteShared; it has nothing to write after that.
type sharingPuller struct {
	t    *TLSConn
	poem []byte
}

func (p *sharingPuller) ResumeProducing() {
	if b := p.poem; b != nil {
		p.poem = nil
		p.t.WriteShared(b)
	}
}
func (p *sharingPuller) StopProducing() {}

// queueWindow serves a slow reader a 1 MiB poem that a pull producer
// shares, and calls at as queueMoment does.
func queueWindow(t *testing.T, r *Reactor, at func(tc *TLSConn)) (got <-chan readResult, saw *bool) {
	return queueMoment(t, r, DefaultHighWater, func(tc *TLSConn) {
		if err := tc.RegisterProducer(&sharingPuller{t: tc, poem: pattern(1 << 20)}, false); err != nil {
			t.Error(err)
		}
	}, at)
}

// queueMoment serves a slow reader (a 4 KiB send buffer) what start
// writes, and calls at, once, in a timer's turn, as soon as part of it
// still waits as plaintext while the TCP connection's buffer of records
// holds something but no more than upTo bytes. It reports whether that
// moment came.
func queueMoment(t *testing.T, r *Reactor, upTo int, start, at func(tc *TLSConn)) (got <-chan readResult, saw *bool) {
	var tc *TLSConn
	seen := false
	var poll func()
	poll = func() {
		if seen || tc.state != tlsOpen {
			return
		}
		if n := tc.Conn().Buffered(); n > 0 && n <= upTo && tc.queue.n > 0 {
			seen = true
			at(tc)
			return
		}
		r.CallLater(200*time.Microsecond, poll)
	}
	srv := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, _ []byte) {
			if tc != nil {
				return
			}
			tc = p.Transport.(*TLSConn)
			unix.SetsockoptInt(tc.Conn().Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
			start(tc)
			poll()
		}}
	}}
	return slowTLSReader(t, r, listenTLS(t, r, srv)), &seen
}

// loseBy closes tc as how says: "LoseConnection" or "LoseWriteConnection".
func loseBy(tc *TLSConn, how string) {
	if how == "LoseConnection" {
		tc.LoseConnection()
	} else {
		tc.LoseWriteConnection()
	}
}

// A pull producer that shared its poem and unregisters while part of it
// still waits as plaintext (the buffer of records under its high water
// mark) leaves the rest to the TLS connection, which sends it all, then
// the close_notify. The feed that paces the queue went from pull to push
// producer unpaused, and nothing ever resumed it: the queue stopped for
// good, the close it held never came, and the client hung on 80 KiB of a
// 1 MiB poem.
func TestTLSUnregisterPullProducerWhileQueuedSendsTheRest(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var records, queued int
	got, saw := queueWindow(t, r, func(tc *TLSConn) {
		records, queued = tc.Conn().Buffered(), tc.queue.n
		tc.UnregisterProducer()
		tc.LoseConnection()
	})
	run(t, r)
	res := <-got
	if !*saw {
		t.Skip("the buffer never drained under its mark with plaintext queued")
	}
	if want := 1 << 20; res.err != nil || len(res.b) != want {
		t.Errorf("pull producer unregistered with %d bytes of records buffered and %d of plaintext queued: client read %d of %d bytes, then %v; want all and a clean end",
			records, queued, len(res.b), want, res.err)
	}
}

// A push producer registered after that (a relay, writing for as long as
// it is not paused) is paused by the buffer as usual: at once, since the
// buffer is over its mark, or as soon as its writes take it there. The
// feed, unpaused under the mark, was never paused again (what the
// producer wrote waited in the queue, behind the poem, and never reached
// the buffer), so nothing paused the producer: 32 MiB held in memory for
// a client that reads 4 KiB a millisecond.
func TestTLSPushProducerAfterPullUnregisterIsPaused(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	const total = 32 << 20
	var wrote, queued int
	got, saw := queueWindow(t, r, func(tc *TLSConn) {
		tc.UnregisterProducer()
		push := &greedyPusher{t: tc, piece: pattern(16 << 10), left: total}
		if err := tc.RegisterProducer(push, true); err != nil {
			t.Error(err)
		}
		if !push.paused {
			push.ResumeProducing() // as a relay starts: it writes until paused
		}
		wrote, queued = total-push.left, tc.queue.n
		tc.AbortConnection()
	})
	run(t, r)
	<-got
	if !*saw {
		t.Skip("the buffer never drained under its mark with plaintext queued")
	}
	if queued > 2<<20 {
		t.Errorf("a push producer registered behind queued plaintext was not paused: it wrote %d bytes, %d of them held in the plaintext queue", wrote, queued)
	}
}
