package reactor

import "testing"

// A Write that empties the plaintext queue after a held
// LoseWriteConnection sent the close_notify inside that Write, so a
// second Write in the same callback was dropped and the peer read a clean
// end. Over TCP (and over TLS after LoseConnection) both writes go before
// the end.
func TestTLSWritesAfterAHeldCloseInOneCallback(t *testing.T) {
	for _, how := range []string{"LoseConnection", "LoseWriteConnection"} {
		for _, shared := range []bool{false, true} {
			name := how + "/Write"
			if shared {
				name = how + "/WriteShared"
			}
			t.Run(name, func(t *testing.T) { writeTwiceAfterHeldClose(t, how, shared) })
		}
	}
}

func writeTwiceAfterHeldClose(t *testing.T, how string, shared bool) {
	r, _ := newReactor(t, DefaultBackend())
	poem := pattern(84 << 10)
	a, b := []byte("-first"), []byte("-second")
	var records, queued int
	got, saw := queueMoment(t, r, DefaultHighWater-8<<10, func(tc *TLSConn) {
		tc.WriteShared(poem)
		loseBy(tc, how) // held: plaintext waits
	}, func(tc *TLSConn) {
		records, queued = tc.Conn().Buffered(), tc.queue.n
		if shared {
			tc.WriteShared(a) // empties the queue
		} else {
			tc.Write(a) // empties the queue
		}
		tc.Write(b) // same callback: must go before the close_notify
	})
	run(t, r)
	res := <-got
	if !*saw {
		t.Skip("the buffer never drained between its marks with plaintext queued")
	}
	want := len(poem) + len(a) + len(b)
	if res.err != nil || len(res.b) != want {
		t.Errorf("%s held by %d bytes of queued plaintext (%d of records buffered), then Write, Write in one callback: client read %d of %d bytes (ends %q), then %v; want all and a clean end",
			how, queued, records, len(res.b), want, res.b[max(0, len(res.b)-16):], res.err)
	}
}
