package reactor

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A Unix listener whose queue of connections not yet accepted is full
// refuses at once with EAGAIN (Linux). The error says so; it read "An
// error occurred while connecting: 11: Resource temporarily unavailable",
// which does not tell where to look.
func TestConnectUnixQueueFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.sock")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil { // never accepted: the queue fills at once
		t.Fatal(err)
	}
	r, _ := newReactor(t, "poll")
	var failed error
	f := &clientFactory{onFail: func(_ *Connector, reason error) {
		if failed == nil {
			failed = reason
			r.Stop()
		}
	}}
	for range 8 {
		r.ConnectUnix(path, f, time.Second)
	}
	r.CallLater(testTimeout, func() { r.Stop() })
	run(t, r)
	if failed == nil || !strings.Contains(failed.Error(), "queue") || !strings.Contains(failed.Error(), "Resource temporarily unavailable") {
		t.Errorf("connecting to a full queue: %v", failed)
	}
}
