package reactor

import "testing"

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
	var records, queued int
	got, saw := queueMoment(t, r, DefaultHighWater-8<<10, func(tc *TLSConn) {
		tc.WriteShared(poem)
		loseBy(tc, how) // held: plaintext waits
	}, func(tc *TLSConn) {
		records, queued = tc.Conn().Buffered(), tc.queue.n
		tc.WriteShared(tail)
	})
	run(t, r)
	res := <-got
	if !*saw {
		t.Skip("the buffer never drained between its marks with plaintext queued")
	}
	want := len(poem) + len(tail)
	if res.err != nil || len(res.b) != want {
		t.Errorf("WriteShared with %d bytes of records buffered and %d of plaintext queued, after %s: client read %d of %d bytes, then %v; want all and a clean end",
			records, queued, how, len(res.b), want, res.err)
	}
}
