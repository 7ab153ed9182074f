package faultsuite

import (
	"crypto/sha256"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Scenario 5, first half: a server with nothing to do sleeps in its
// backend's wait. Measured after it has served clients (so that a timer
// left running by them would show): under 2% of a core.
func TestIdleCPU(t *testing.T) {
	needLinux(t)
	window := size(1500*time.Millisecond, 3*time.Second)
	poemPath, poem := writePoem(t, 3000, 6)
	slow := slowness{numBytes: 1000, delay: 10 * time.Millisecond}
	type idle struct {
		name string
		s    *running
		cpu0 time.Duration
	}
	// Every server idles in the same window, measured together.
	var all []*idle
	for _, srv := range []server{gyreFast, gyreSlow, fastpoetry, fastpoetrySlow} {
		for _, backend := range backends() {
			s := start(t, srv, backend, poemPath, startOpts{slow: slow})
			if ok, problems := summary(fetchMany(s.addr, 20, 30*time.Second), poem); ok != 20 {
				t.Fatalf("%s on %s: %d of 20 clients served: %s", srv.name, backend, ok, strings.Join(problems, "; "))
			}
			all = append(all, &idle{name: srv.name + "/" + backend, s: s})
		}
	}
	// Let the last logs be flushed (gyre serve writes its log within
	// 200 ms of a client), so that the window sees only idling.
	<-time.After(300 * time.Millisecond)
	for _, x := range all {
		x.cpu0 = cpuTime(t, x.s.Pid())
	}
	t0 := time.Now()
	<-time.After(window) // the measuring window
	elapsed := time.Since(t0)
	for _, x := range all {
		t.Run(x.name, func(t *testing.T) {
			share := float64(cpuTime(t, x.s.Pid())-x.cpu0) / float64(elapsed)
			t.Logf("%s: idle CPU %.3f%% of a core (%v used in %v)", x.name, 100*share, (time.Duration(share * float64(elapsed))).Round(time.Microsecond), elapsed.Round(time.Millisecond))
			if share > 0.02 {
				t.Errorf("idle server uses %.1f%% of a core, want under 2%%", 100*share)
			}
			stopClean(t, x.s)
		})
	}
}

// Scenario 5, second half: SIGTERM while poems are in flight (slow mode).
// gyre serve stops accepting at once, lets every poem finish within
// --grace, and exits 0; with a grace period too short for them, it cuts
// them at its end and still exits 0.
func TestSIGTERMGrace(t *testing.T) {
	needLinux(t)
	clients := size(20, 200)
	poemPath, poem := writePoem(t, 600, 7)
	slow := slowness{numBytes: 50, delay: 50 * time.Millisecond} // ~0.65 s per poem
	for _, backend := range backends() {
		t.Run("finish/"+backend, func(t *testing.T) {
			s := start(t, gyreSlow, backend, poemPath, startOpts{slow: slow, extra: []string{"--grace", "10s"}})
			results, begun := inFlight(s.addr, clients)
			signalled := time.Now()
			res := s.Signal(syscall.SIGTERM)
			exitAfter := time.Since(signalled)
			got := make([]fetchResult, clients)
			for i := range got {
				got[i] = <-results
			}
			ok, problems := summary(got, poem)
			t.Logf("gyre-slow on %s: SIGTERM with %d poems in flight (%d begun): %d finished identical, exit %d after %v",
				backend, clients, begun, ok, res.Code, exitAfter.Round(time.Millisecond))
			if ok != clients {
				t.Errorf("%d of %d poems in flight did not finish:\n%s", clients-ok, clients, strings.Join(problems, "\n"))
			}
			if res.Code != 0 || exitAfter > 10*time.Second {
				t.Errorf("exit status %d after %v, want 0 within the 10 s grace\nstderr:\n%s", res.Code, exitAfter, tail(res.Stderr, 2000))
			}
			recs := records(t, res.Stderr)
			if r := find(recs, "stopping: no new connections; the poems in flight may finish"); r == nil || r.num("in_flight") != int64(clients) {
				t.Errorf("stopping record %v, want in_flight=%d", r, clients)
			}
			if r := find(recs, "stopped"); r == nil || r.num("served") != int64(clients) || r.num("lost") != 0 {
				t.Errorf("final record %v, want served=%d lost=0", r, clients)
			}
		})
	}
	t.Run("cut", func(t *testing.T) {
		long := slowness{numBytes: 10, delay: 100 * time.Millisecond} // 6 s per poem
		s := start(t, gyreSlow, "epoll", poemPath, startOpts{slow: long, extra: []string{"--grace", "300ms"}})
		results, _ := inFlight(s.addr, 5)
		signalled := time.Now()
		res := s.Signal(syscall.SIGTERM)
		exitAfter := time.Since(signalled)
		cut := 0
		for range 5 {
			if r := <-results; r.err != nil || r.n < int64(len(poem)) {
				cut++
			}
		}
		t.Logf("grace 300ms, poems of 6 s in flight: exit %d after %v, %d of 5 cut", res.Code, exitAfter.Round(time.Millisecond), cut)
		if res.Code != 0 || exitAfter > 3*time.Second || cut != 5 {
			t.Errorf("exit %d after %v with %d of 5 poems cut; want 0, soon after the grace period, all cut\nstderr:\n%s",
				res.Code, exitAfter, cut, tail(res.Stderr, 2000))
		}
	})
}

// inFlight starts n clients and returns once each has its first chunk;
// their results come on the channel when their poems end.
func inFlight(addr string, n int) (<-chan fetchResult, int) {
	results := make(chan fetchResult, n)
	started := make(chan bool, n)
	for range n {
		go func() {
			start := time.Now()
			c, err := dial(addr)
			if err != nil {
				started <- false
				results <- fetchResult{err: err}
				return
			}
			defer c.Close()
			c.SetDeadline(start.Add(60 * time.Second))
			h := sha256.New()
			buf := make([]byte, 1)
			k, err := c.Read(buf)
			h.Write(buf[:k])
			started <- err == nil
			if err != nil {
				results <- fetchResult{err: err, n: int64(k)}
				return
			}
			m, err := io.Copy(h, c)
			r := fetchResult{n: int64(k) + m, err: err, elapsed: time.Since(start)}
			h.Sum(r.sum[:0])
			results <- r
		}()
	}
	begun := 0
	timeout := time.After(30 * time.Second)
	for range n {
		select {
		case ok := <-started:
			if ok {
				begun++
			}
		case <-timeout:
			return results, begun
		}
	}
	return results, begun
}
