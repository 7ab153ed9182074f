package reactor

import (
	"net"
	"testing"
	"time"
)

// The accept quota follows the listen queue: a wake-up that empties it
// sets the quota to what it accepted, a run of wake-ups that use all of
// it doubles it, and no connection is left behind either way.
func TestAcceptQuotaAdapts(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	srv := &servers{}
	p := listen(t, r, srv)
	var clients []net.Conn
	dialN := func(n int) {
		for range n {
			c, err := net.DialTimeout("tcp", p.Addr().String(), testTimeout)
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
		}
		time.Sleep(20 * time.Millisecond) // the handshakes complete into the queue
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	accept := func(want, quota int) {
		t.Helper()
		before := len(srv.all)
		if err := p.DoRead(); err != nil {
			t.Fatal(err)
		}
		if got := len(srv.all) - before; got != want || p.quota != quota {
			t.Fatalf("accepted %d with quota now %d, want %d and %d", got, p.quota, want, quota)
		}
	}

	dialN(3)
	accept(3, 3) // the first wake-up may take a whole batch; the queue had 3
	dialN(1)
	accept(1, 1)
	dialN(fullStreak + 2)
	for range fullStreak - 1 {
		accept(1, 1) // one per wake-up while the quota is used up
	}
	accept(1, 2) // the streak doubles it
	accept(2, 2) // the last two: the quota used again, the queue empty unseen
	accept(0, 1)
	if len(srv.all) != len(clients) {
		t.Fatalf("%d connections accepted of %d", len(srv.all), len(clients))
	}
}
