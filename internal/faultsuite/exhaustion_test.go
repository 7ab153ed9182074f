package faultsuite

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// Scenario 4: the server runs out of descriptors. Under a limit of 128 and
// hundreds of slow clients at once, the listener must back off instead of
// spinning on EMFILE (under half a core while exhausted; a spinning accept
// loop takes a whole one), leave the clients it cannot take in the listen
// queue, and serve them as soon as descriptors are free again: the test
// closes the clients being served, wave after wave, and measures how long
// the server takes to serve the next, until every client has been served.
// None may be dropped.
func TestDescriptorExhaustion(t *testing.T) {
	needLinux(t)
	const limit = 128
	clients := size(200, 400)
	window := size(time.Second, 3*time.Second)
	poemPath, _ := writePoem(t, 3000, 5)
	slow := slowness{numBytes: 10, delay: 100 * time.Millisecond} // 30 s: clients are held
	// gyre serve resets connections beyond --max-conns (what the
	// descriptor limit leaves) before it runs out: the limit is lowered
	// once it serves (startOpts.nofile), past the --max-conns it sized by
	// the limit it started with, so that it runs out, which is what is
	// tested here.
	for _, srv := range []server{gyreSlow, fastpoetrySlow} {
		for _, backend := range backends() {
			t.Run(srv.name+"/"+backend, func(t *testing.T) {
				o := startOpts{slow: slow, nofile: limit}
				s := start(t, srv, backend, poemPath, o)
				pid := s.Pid()
				fd0 := fds(t, pid)
				capacity := limit - fd0

				// Every client connects at once and waits for its
				// first chunk; served says which got it, when.
				type servedAt struct {
					i   int
					at  time.Time
					err error
				}
				served := make(chan servedAt, clients)
				conns := make([]net.Conn, clients)
				dialed := make(chan error, clients)
				for i := range clients {
					go func() {
						c, err := dial(s.addr)
						if err != nil {
							dialed <- err
							return
						}
						conns[i] = c
						dialed <- nil
						_, err = readSome(c, 1, 90*time.Second)
						served <- servedAt{i: i, at: time.Now(), err: err}
					}()
				}
				for range clients {
					if err := <-dialed; err != nil {
						t.Fatalf("connect: %v", err)
					}
				}
				defer func() {
					for _, c := range conns {
						c.Close()
					}
				}()

				// Wait until the server is out of descriptors.
				if !waitFor(20*time.Second, func() bool { return fds(t, pid) >= limit }) {
					t.Fatalf("server holds %d descriptors, never reached its limit of %d", fds(t, pid), limit)
				}
				share := cpuShare(t, pid, window)
				t.Logf("%s on %s: %d clients against a limit of %d descriptors (%d for connections): CPU %.1f%% of a core over %v while exhausted",
					srv.name, backend, clients, limit, capacity, 100*share, window)
				if share > 0.5 {
					t.Errorf("server uses %.0f%% of a core while out of descriptors: spinning", 100*share)
				}

				// Waves: close those served, time the next first chunk.
				var recoveries []time.Duration
				isServed := make([]bool, clients)
				closed := make([]bool, clients)
				total := 0
				// collect takes what the clients report until want
				// have been served in all, or until passes; first is
				// the earliest first chunk after since.
				collect := func(until time.Duration, want int, since time.Time) (first time.Time) {
					deadline := time.After(until)
					for total < want {
						select {
						case r := <-served:
							if r.err != nil {
								t.Fatalf("client %d was dropped: %v (the server must leave it in the queue)", r.i, r.err)
							}
							isServed[r.i] = true
							total++
							if !r.at.Before(since) && (first.IsZero() || r.at.Before(first)) {
								first = r.at
							}
						case <-deadline:
							return first
						}
					}
					return first
				}
				nclosed := 0
				for wave := 1; ; wave++ {
					// The server fills its descriptors again: as many
					// clients served as there is room for (less two, for
					// the runtime's own descriptors).
					want := min(clients, nclosed+capacity-2)
					collect(20*time.Second, want, time.Time{})
					if total < want {
						t.Fatalf("wave %d: %d of %d clients served, want %d (server holds %d descriptors)", wave, total, clients, want, fds(t, pid))
					}
					if total == clients {
						break
					}
					released := time.Now()
					for i, c := range conns {
						if isServed[i] && !closed[i] {
							c.Close()
							closed[i] = true
							nclosed++
						}
					}
					var first time.Time
					for deadline := time.Now().Add(20 * time.Second); first.IsZero() && time.Now().Before(deadline); {
						first = collect(time.Until(deadline), total+1, released)
					}
					if first.IsZero() {
						t.Fatalf("wave %d: nobody served within 20 s of freeing descriptors (%d of %d served)", wave, total, clients)
					}
					recoveries = append(recoveries, first.Sub(released))
				}
				slices.Sort(recoveries)
				var parts []string
				for _, r := range recoveries {
					parts = append(parts, r.Round(time.Millisecond).String())
				}
				t.Logf("all %d clients served, none dropped; %d waves; recovery (descriptors freed to next client served): %s",
					clients, len(recoveries), strings.Join(parts, ", "))
				// The back-off tops out at 200 ms; a busy CI machine
				// (go test ./... beside this) has been seen at 2.5 s.
				if len(recoveries) > 0 && recoveries[len(recoveries)-1] > 5*time.Second {
					t.Errorf("the listener took %v to serve again after descriptors were freed", recoveries[len(recoveries)-1])
				}
				for _, c := range conns {
					c.Close()
				}
				if !waitFor(10*time.Second, func() bool { return fds(t, pid) <= fd0 }) {
					t.Errorf("server holds %d descriptors after every client left, %d before", fds(t, pid), fd0)
				}
				res := stopClean(t, s)
				if srv.logs {
					recs := records(t, res.Stderr)
					if find(recs, "cannot accept connections, backing off and retrying") == nil || find(recs, "accepting connections again") == nil {
						t.Errorf("the back-off and the recovery are not logged:\n%s", tail(res.Stderr, 2000))
					}
					if st := find(recs, "stopped"); st == nil || st.num("lost") != int64(clients) || st.num("refused") != 0 {
						t.Errorf("final record %v, want lost=%d (each client left early) refused=0", st, clients)
					}
				}
			})
		}
	}
}
