package reactor

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A LoseConnection (or LoseWriteConnection) held back by queued plaintext
// goes on when a WriteShared empties the queue: one made while the TCP
// buffer is between its water marks (the feed still paused, but room for
// records) encrypts the rest at once, and the feed is let go. Nothing
// looked at the close then: the close_notify never went, and the client,
// having read every byte, waited for an end that never came.
func TestTLSWriteSharedEmptyingQueueGoesOnWithClose(t *testing.T) {
	for _, how := range []string{"LoseConnection", "LoseWriteConnection"} {
		t.Run(how, func(t *testing.T) { writeSharedEmptiesQueue(t, how) })
	}
}

func writeSharedEmptiesQueue(t *testing.T, how string) {
	r, _ := newReactor(t, DefaultBackend())
	poem := pattern(84 << 10)
	tail := []byte("-tail")
	var (
		tc              *TLSConn
		wrote           bool
		records, queued int
	)
	var poll func()
	poll = func() {
		if wrote || tc.state != tlsOpen {
			return
		}
		if n := tc.Conn().Buffered(); n > 0 && n <= DefaultHighWater-8<<10 && tc.queue.n > 0 {
			wrote, records, queued = true, n, tc.queue.n
			tc.WriteShared(tail)
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
			tc.WriteShared(poem)
			if how == "LoseConnection" {
				tc.LoseConnection() // held: plaintext waits
			} else {
				tc.LoseWriteConnection()
			}
			poll()
		}}
	}}
	got := slowTLSReader(t, r, listenTLS(t, r, srv))
	run(t, r)
	res := <-got
	if !wrote {
		t.Skip("the buffer never drained between its marks with plaintext queued")
	}
	want := len(poem) + len(tail)
	if res.err != nil || len(res.b) != want {
		t.Errorf("WriteShared with %d bytes of records buffered and %d of plaintext queued, after %s: client read %d of %d bytes, then %v; want all and a clean end",
			records, queued, how, len(res.b), want, res.err)
	}
}
