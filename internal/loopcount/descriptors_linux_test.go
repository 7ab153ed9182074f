package loopcount

import (
	"net"
	"os"
	"testing"

	"gyre/reactor"
)

// openDescriptors counts the process's open descriptors.
func openDescriptors(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	return len(fds) - 1 // less the one ReadDir held open
}

// Kept counts at least what a loop as the servers make it opens: a
// reactor with batched I/O (an epoll, a wake-up and an io_uring ring where
// the kernel allows it) and one listener. It counted two per loop besides
// the listeners, one short where there is a ring: --max-conns, which by
// default is what the limit leaves, then let the accepts of many loops run
// into EMFILE.
func TestKeptCountsALoopsDescriptors(t *testing.T) {
	before := openDescriptors(t)
	r, err := reactor.New(reactor.WithBatchedIO(true))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	factory := reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })
	if _, err := r.ListenTCP("127.0.0.1:0", factory); err != nil {
		t.Fatal(err)
	}
	opened := openDescriptors(t) - before
	if kept := Kept(1, 1) - Kept(0, 1); uint64(opened) > kept {
		t.Errorf("a loop with one listener opened %d descriptors; Kept counts %d per such loop", opened, kept)
	}
}
