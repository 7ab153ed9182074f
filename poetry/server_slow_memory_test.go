package poetry

import (
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/reactor"
)

// rawClients connects len(fds) sockets to addr with plain system calls, no
// Go object per client, so that the heap measured is the server's alone,
// and puts them in fds (the caller closes them).
func rawClients(fds []int, addr *net.TCPAddr) error {
	sa := &unix.SockaddrInet4{Port: addr.Port}
	copy(sa.Addr[:], addr.IP.To4())
	for i := range fds {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			return err
		}
		fds[i] = fd
		if err := unix.Connect(fd, sa); err != nil {
			return err
		}
	}
	return nil
}

// A slow client holds its connection, its protocol, a descriptor slot and a
// queue slot, about 160 bytes, and nothing more while its socket takes
// every chunk: no producer state (128 bytes a connection when every client
// registered as its connection's producer), no timer of its own, no copy
// of the poem. Ten thousand slow clients are W4 of bench/run.
func TestSlowClientHeapCost(t *testing.T) {
	const n = 2000
	const perClient = 224
	r := newReactor(t, reactor.DefaultBackend())
	// One chunk now, the next in an hour: the clients stay connected and
	// the schedule stays still while the heap is measured.
	f := NewSlowServerFactory(r, []byte(strings.Repeat("poetry ", 1000)), 10, time.Hour)
	port := listen(t, r, f)
	clients := func() int {
		ch := make(chan int, 1)
		r.CallFromGoroutine(func() { ch <- f.Clients() })
		return <-ch
	}
	fds := make([]int, n)
	for i := range fds {
		fds[i] = -1
	}
	t.Cleanup(func() {
		for _, fd := range fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	})
	var grown int64
	var connected int
	var dialErr error
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		before := heapInUse()
		if dialErr = rawClients(fds, port.Addr().(*net.TCPAddr)); dialErr != nil {
			return
		}
		deadline := time.Now().Add(testTimeout)
		for connected = clients(); connected < n && time.Now().Before(deadline); connected = clients() {
			time.Sleep(10 * time.Millisecond)
		}
		grown = heapInUse() - before
	}()
	run(t, r)
	if dialErr != nil {
		t.Fatal(dialErr)
	}
	if connected != n {
		t.Fatalf("%d clients connected, want %d", connected, n)
	}
	t.Logf("%d slow clients: heap grew %d bytes, %d a client", n, grown, grown/n)
	if grown > n*perClient {
		t.Errorf("%d slow clients cost %d bytes of heap each, want at most %d", n, grown/n, perClient)
	}
}
