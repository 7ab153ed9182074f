package reactor

import (
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Two servers starting at once on one path, with no file there and with
// a dead server's file: exactly one listens. Both did, now and then (a
// few times in a hundred): the second found the first's file bound and
// not yet listening, took it for stale and replaced it, and the first
// listened on a socket nobody could reach.
func TestListenUnixConcurrentStartsOneWins(t *testing.T) {
	var rs [2]*Reactor
	for i := range rs {
		rs[i], _ = newReactor(t, DefaultBackend())
	}
	path := filepath.Join(t.TempDir(), "s.sock")
	for _, stale := range []bool{false, true} {
		both := 0
		for range 300 {
			os.Remove(path)
			if stale {
				leaveStaleSocket(t, path)
			}
			var ports [2]*Port
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, r := range rs {
				wg.Go(func() {
					<-start
					ports[i], _ = r.ListenUnix(path, greeter("x"))
				})
			}
			close(start)
			wg.Wait()
			if ports[0] != nil && ports[1] != nil {
				both++
			}
			for _, p := range ports {
				if p != nil {
					p.StopListening()
				}
			}
		}
		if both > 0 {
			t.Errorf("stale file %v: both servers listened, one unreachable, %d times in 300", stale, both)
		}
	}
}

// leaveStaleSocket leaves at path the file of a socket that was bound and
// closed: a dead server's.
func leaveStaleSocket(t *testing.T, path string) {
	t.Helper()
	dead, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	dead.SetUnlinkOnClose(false)
	dead.Close()
}
