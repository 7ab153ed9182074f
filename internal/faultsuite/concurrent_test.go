package faultsuite

import (
	"strings"
	"testing"
	"time"
)

// Scenario 1: thousands of clients at once, each gets the poem byte for
// byte. On the select backend this runs past FD_SETSIZE (1024): a server
// holding that many connections must stop accepting and leave the rest in
// the listen queue until descriptors it can watch are free, never accept a
// connection it cannot watch and drop it.
func TestConcurrentClients(t *testing.T) {
	needLinux(t)
	n := size(1200, 2000) // both past select's FD_SETSIZE
	poemPath, poem := writePoem(t, 3000, 1)
	slow := slowness{numBytes: 500, delay: 20 * time.Millisecond} // ~140 ms per client
	for _, srv := range []server{gyreFast, gyreSlow, fastpoetry, fastpoetrySlow} {
		for _, backend := range backends() {
			t.Run(srv.name+"/"+backend, func(t *testing.T) {
				s := start(t, srv, backend, poemPath, startOpts{slow: slow})
				fd0 := fds(t, s.Pid())
				begin := time.Now()
				results := fetchMany(s.addr, n, 60*time.Second)
				elapsed := time.Since(begin)
				ok, problems := summary(results, poem)
				var slowest time.Duration
				for _, r := range results {
					slowest = max(slowest, r.elapsed)
				}
				_, hwm := memory(t, s.Pid())
				t.Logf("%s on %s: %d concurrent clients, %d got the %d-byte poem identical (sha256), in %v (slowest client %v); server peak RSS %s",
					srv.name, backend, n, ok, len(poem), elapsed.Round(time.Millisecond), slowest.Round(time.Millisecond), mib(hwm))
				if ok != n {
					t.Errorf("%d of %d clients did not get the poem:\n%s", n-ok, n, strings.Join(problems, "\n"))
				}
				if !waitFor(10*time.Second, func() bool { return fds(t, s.Pid()) <= fd0 }) {
					t.Errorf("server holds %d descriptors after the clients left, %d before", fds(t, s.Pid()), fd0)
				}
				res := stopClean(t, s)
				if !srv.logs {
					return
				}
				recs := records(t, res.Stderr)
				if oc := outcomes(recs); oc["done"] != n || len(oc) != 1 {
					t.Errorf("log outcomes %v, want done=%d only", oc, n)
				}
				if st := find(recs, "stopped"); st == nil || st.num("served") != int64(n) || st.num("lost") != 0 || st.num("refused") != 0 {
					t.Errorf("final record %v, want served=%d lost=0 refused=0", st, n)
				}
				bad := 0
				for _, r := range recs {
					if r.str("level") == "ERROR" {
						if bad++; bad <= 3 {
							t.Errorf("unexpected %s record: %v", r.str("level"), r)
						}
					}
				}
			})
		}
	}
}
