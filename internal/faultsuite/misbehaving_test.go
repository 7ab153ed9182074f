package faultsuite

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Scenario 3: clients that misbehave. Some reset the connection in the
// middle of the poem (SO_LINGER 0), some close it at once, some send data
// to a server whose protocol is one-way, megabytes of it. The server must
// stay up, leak no descriptor, keep its memory bounded (what clients send
// is read and dropped, never kept), serve the talkers their poem, and log
// every client that went away early as lost, with the reason.
func TestMisbehavingClients(t *testing.T) {
	needLinux(t)
	resets, closers := size(20, 200), size(20, 200)
	talkers, talk := size(4, 20), 8<<20
	greeters := size(10, 50)
	bigPath, big := writePoem(t, 8<<20, 3)
	smallPath, small := writePoem(t, 3000, 4)
	// ~1.5 s per client: long enough that a client resetting after the
	// first chunk does so mid-poem even when the machine is busy.
	slow := slowness{numBytes: 100, delay: 50 * time.Millisecond}
	for _, srv := range []server{gyreFast, gyreSlow, fastpoetry, fastpoetrySlow} {
		poemPath, poem, midway := bigPath, big, 64<<10
		if srv.slow {
			poemPath, poem, midway = smallPath, small, slow.numBytes
		}
		for _, backend := range backends() {
			t.Run(srv.name+"/"+backend, func(t *testing.T) {
				s := start(t, srv, backend, poemPath, startOpts{slow: slow})
				pid := s.Pid()
				if ok, problems := summary([]fetchResult{fetch(s.addr, 30*time.Second)}, poem); ok != 1 {
					t.Fatalf("first client: %s", strings.Join(problems, "; "))
				}
				fd0 := fds(t, pid)
				rss0, _ := memory(t, pid)

				var wg sync.WaitGroup
				var mu sync.Mutex
				var failures []string
				fail := func(format string, args ...any) {
					mu.Lock()
					defer mu.Unlock()
					if len(failures) < 10 {
						failures = append(failures, fmt.Sprintf(format, args...))
					}
				}
				for i := range resets {
					wg.Go(func() {
						c, err := dial(s.addr)
						if err != nil {
							fail("reset client %d: %v", i, err)
							return
						}
						if n, err := readSome(c, midway, 30*time.Second); err != nil {
							fail("reset client %d: read %d bytes: %v", i, n, err)
						}
						if err := reset(c); err != nil {
							fail("reset client %d: %v", i, err)
						}
					})
				}
				for i := range closers {
					wg.Go(func() {
						c, err := dial(s.addr)
						if err != nil {
							fail("closing client %d: %v", i, err)
							return
						}
						c.Close()
					})
				}
				talked := make([]fetchResult, talkers)
				for i := range talkers {
					wg.Go(func() {
						talked[i] = talkThenFetch(s.addr, talk, 60*time.Second)
					})
				}
				greeted := make([]fetchResult, greeters)
				for i := range greeters {
					wg.Go(func() {
						greeted[i] = talkThenFetch(s.addr, 1<<10, 60*time.Second)
					})
				}
				wg.Wait()
				for _, f := range failures {
					t.Error(f)
				}
				// A client that sends a line before reading gets its
				// poem whole: the server drops unread input before it
				// closes, or the kernel would reset the connection and
				// throw away the end of the poem.
				ok, problems := summary(greeted, poem)
				if ok != greeters {
					t.Errorf("%d of %d clients that sent 1 KiB first did not get their poem:\n%s", greeters-ok, greeters, strings.Join(problems, "\n"))
				}
				// One that sends megabytes may still be sending when
				// the poem ends, and a socket closed while input arrives
				// is reset: the end of its poem can be lost (the fast
				// servers send 8 MiB faster than they read). Only the
				// slow servers, which read as they go, must serve it.
				talkedOK, problems := summary(talked, poem)
				if srv.slow && talkedOK != talkers {
					t.Errorf("%d of %d clients that sent %s did not get their poem:\n%s", talkers-talkedOK, talkers, mib(int64(talk)), strings.Join(problems, "\n"))
				}
				// Still up, and serving.
				if ok, problems := summary([]fetchResult{fetch(s.addr, 30*time.Second)}, poem); ok != 1 {
					t.Errorf("client after the faults: %s", strings.Join(problems, "; "))
				}
				fdsOK := waitFor(10*time.Second, func() bool { return fds(t, pid) <= fd0 })
				rss1, hwm := memory(t, pid)
				t.Logf("%s on %s: %d resets mid-poem, %d closed at once, %d sent 1 KiB then read (all served), %d sent %s each (%s in all; %d got their poem whole): server RSS %s before, %s after (peak %s), descriptors %d before, %d after",
					srv.name, backend, resets, closers, greeters, talkers, mib(int64(talk)), mib(int64(talk*talkers)), talkedOK,
					mib(rss0), mib(rss1), mib(hwm), fd0, fds(t, pid))
				if !fdsOK {
					t.Errorf("server holds %d descriptors after the clients left, %d before: leak", fds(t, pid), fd0)
				}
				if hwm > rss0+32<<20 {
					t.Errorf("server peak RSS %s, %s before the clients: what clients send must not be kept", mib(hwm), mib(rss0))
				}
				res := stopClean(t, s)
				if !srv.logs {
					return
				}
				oc := outcomes(records(t, res.Stderr))
				lost, reasons := 0, []string{}
				for k, n := range oc {
					if r, ok := strings.CutPrefix(k, "lost: "); ok {
						lost += n
						reasons = append(reasons, fmt.Sprintf("%d × %q", n, r))
						if strings.TrimSpace(r) == "" {
							t.Errorf("lost without a reason: %d records", n)
						}
					}
				}
				sort.Strings(reasons)
				t.Logf("log: %d done, %d lost: %s", oc["done"], lost, strings.Join(reasons, ", "))
				if lost != resets+closers || oc["done"] != talkers+greeters+2 {
					t.Errorf("log outcomes %v: want %d lost (every reset and early close) and %d done", oc, resets+closers, talkers+greeters+2)
				}
			})
		}
	}
}

// talkThenFetch sends n bytes to the server, which should read and drop
// them, and then reads the poem. (Sending first: a server closing a socket
// with unread input sends a reset, which may cost the client the end of
// the poem; reading all input before the end is the server's part.)
func talkThenFetch(addr string, n int, timeout time.Duration) fetchResult {
	return speakThenFetch(addr, n, timeout, nil)
}

// speakThenFetch is talkThenFetch that says on spoke (if not nil) when it
// has sent its bytes (or failed to).
func speakThenFetch(addr string, n int, timeout time.Duration, spoke chan<- struct{}) fetchResult {
	said := func() {
		if spoke != nil {
			spoke <- struct{}{}
			spoke = nil
		}
	}
	defer said()
	start := time.Now()
	c, err := dial(addr)
	if err != nil {
		return fetchResult{err: err}
	}
	c.SetWriteDeadline(time.Now().Add(timeout))
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	for sent := 0; sent < n; {
		k, err := c.Write(chunk[:min(len(chunk), n-sent)])
		sent += k
		if err != nil {
			c.Close()
			return fetchResult{err: fmt.Errorf("sending: %w after %d bytes", err, sent)}
		}
	}
	said()
	return readPoem(c, start, timeout)
}

// Clients that speak first (a line, 1 KiB, before reading) to the fast
// servers, whose poem fits in one write: the server writes the poem and
// closes without ever reading, so the line is still unread when it closes.
// Unless the server drops it first, the kernel answers the close with a
// reset, and the client sees an error instead of the end of the poem. The
// server is stopped (SIGSTOP) while the clients connect and speak, and
// continued once the kernel holds every line in the server's sockets, so
// that every line is there before the server accepts: a line that arrives
// after the server has closed is answered with a reset whatever the server
// does.
func TestClientsThatSpeakFirst(t *testing.T) {
	needLinux(t)
	n := size(200, 1000)
	poemPath, poem := writePoem(t, 3000, 8)
	for _, srv := range []server{gyreFast, fastpoetry} {
		for _, backend := range backends() {
			t.Run(srv.name+"/"+backend, func(t *testing.T) {
				s := start(t, srv, backend, poemPath, startOpts{})
				if err := syscall.Kill(s.Pid(), syscall.SIGSTOP); err != nil {
					t.Fatal(err)
				}
				if !waitFor(10*time.Second, func() bool { return stopped(t, s.Pid()) }) {
					t.Fatal("the server did not stop on SIGSTOP")
				}
				resumed := false
				resume := func() {
					if !resumed {
						resumed = true
						syscall.Kill(s.Pid(), syscall.SIGCONT)
					}
				}
				defer resume()
				results := make([]fetchResult, n)
				spoke := make(chan struct{}, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						results[i] = speakThenFetch(s.addr, 1<<10, 30*time.Second, spoke)
					})
				}
				for range n {
					select {
					case <-spoke:
					case <-time.After(30 * time.Second):
						t.Fatal("clients could not connect and speak to the stopped server")
					}
				}
				port, _ := strconv.Atoi(s.addr[strings.LastIndexByte(s.addr, ':')+1:])
				if !waitFor(20*time.Second, func() bool { return waitingInput(t, port, 1<<10) >= n }) {
					t.Fatalf("only %d of %d lines reached the server's sockets", waitingInput(t, port, 1<<10), n)
				}
				resume()
				wg.Wait()
				ok, problems := summary(results, poem)
				t.Logf("%s on %s: %d clients sent 1 KiB, then read: %d got the poem whole, with a clean end", srv.name, backend, n, ok)
				if ok != n {
					t.Errorf("%d of %d clients did not get their poem:\n%s", n-ok, n, strings.Join(problems, "\n"))
				}
				stopClean(t, s)
			})
		}
	}
}
