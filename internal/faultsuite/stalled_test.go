package faultsuite

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"gyre/reactor"
)

// Scenario 2: clients that connect and never read a poem of 8 MiB. Flow
// control must keep what the server holds per connection near the write
// buffer's high-water mark (64 KiB; with sendfile, nothing), not the poem's
// size; other clients are served at normal speed meanwhile; closing the
// stalled clients gives the memory and the descriptors back.
func TestStalledReaders(t *testing.T) {
	needLinux(t)
	stalled := size(60, 300)
	const poemSize = 8 << 20
	poemPath, poem := writePoem(t, poemSize, 2)
	for _, srv := range []server{gyreFast, fastpoetry} {
		for _, backend := range backends() {
			t.Run(srv.name+"/"+backend, func(t *testing.T) {
				s := start(t, srv, backend, poemPath, startOpts{})
				pid := s.Pid()

				// Normal speed: a few clients one after another.
				timeFetches := func(what string) time.Duration {
					var times []time.Duration
					for range 5 {
						r := fetch(s.addr, 30*time.Second)
						if ok, problems := summary([]fetchResult{r}, poem); ok != 1 {
							t.Fatalf("%s: %s", what, strings.Join(problems, "; "))
						}
						times = append(times, r.elapsed)
					}
					slices.Sort(times)
					return times[len(times)/2]
				}
				base := timeFetches("before the stalled clients")
				fd0 := fds(t, pid)
				rss0, _ := memory(t, pid)

				var conns []*net.TCPConn
				defer func() {
					for _, c := range conns {
						c.Close()
					}
				}()
				for i := range stalled {
					c, err := dial(s.addr)
					if err != nil {
						t.Fatalf("stalled client %d: %v", i, err)
					}
					conns = append(conns, c)
				}
				if !waitFor(20*time.Second, func() bool { return fds(t, pid) >= fd0+stalled }) {
					t.Fatalf("server holds %d descriptors, want %d + %d stalled clients", fds(t, pid), fd0, stalled)
				}
				during := timeFetches("while clients are stalled")
				rss1, hwm := memory(t, pid)
				grown := max(rss1-rss0, 0)
				perConn := grown / int64(stalled)
				t.Logf("%s on %s: %d clients stalled on a %s poem; server RSS %s before, %s with them (peak %s): %s per stalled connection; a normal client takes %v before, %v during (median of 5)",
					srv.name, backend, stalled, mib(poemSize), mib(rss0), mib(rss1), mib(hwm), kib(perConn),
					base.Round(time.Millisecond), during.Round(time.Millisecond))
				// Slack for the runtime's own growth (heap arenas,
				// goroutine stacks), spread over the connections; a
				// server that buffered the poem would need megabytes
				// each.
				if limit := int64(stalled)*2*reactor.DefaultHighWater + 16<<20; grown > limit {
					t.Errorf("server grew by %s with %d stalled clients (%s each), want at most %s: flow control is not holding",
						mib(grown), stalled, kib(perConn), mib(limit))
				}
				if during > 10*base+time.Second {
					t.Errorf("normal clients take %v while clients are stalled, %v before", during, base)
				}

				for _, c := range conns {
					c.Close()
				}
				conns = nil
				ok := waitFor(10*time.Second, func() bool { return fds(t, pid) <= fd0 })
				fd2 := fds(t, pid)
				rss2, _ := memory(t, pid)
				t.Logf("after closing them: %d descriptors (%d before), RSS %s", fd2, fd0, mib(rss2))
				if !ok {
					t.Errorf("server holds %d descriptors after the stalled clients left, %d before: leak", fd2, fd0)
				}
				if rss2 > rss0+16<<20 {
					t.Errorf("server RSS %s after the stalled clients left, %s before", mib(rss2), mib(rss0))
				}
				res := stopClean(t, s)
				if srv.logs {
					oc := outcomes(records(t, res.Stderr))
					lost := 0
					for k, n := range oc {
						if strings.HasPrefix(k, "lost: ") {
							lost += n
						}
					}
					if oc["done"] != 10 || lost != stalled {
						t.Errorf("log outcomes %v, want done=10 and %d lost", oc, stalled)
					}
				}
			})
		}
	}
}
