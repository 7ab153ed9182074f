package poetry

import (
	"fmt"
	"net"
	"runtime"
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

// slowRig is a slow server on a real reactor and n raw client sockets,
// closed when the test ends.
type slowRig struct {
	r    *reactor.Reactor
	f    *SlowServerFactory
	port *reactor.Port
	fds  []int
}

func newSlowRig(t *testing.T, n int, poem string, delay time.Duration) *slowRig {
	r := newReactor(t, reactor.DefaultBackend())
	f := NewSlowServerFactory(r, []byte(poem), 10, delay)
	s := &slowRig{r: r, f: f, port: listen(t, r, f), fds: make([]int, n)}
	for i := range s.fds {
		s.fds[i] = -1
	}
	t.Cleanup(func() {
		for _, fd := range s.fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	})
	return s
}

// connect opens the client sockets and waits until the server has them
// all, returning how many it has.
func (s *slowRig) connect() (int, error) {
	if err := rawClients(s.fds, s.port.Addr().(*net.TCPAddr)); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(testTimeout)
	connected := s.clients()
	for ; connected < len(s.fds) && time.Now().Before(deadline); connected = s.clients() {
		time.Sleep(time.Millisecond)
	}
	return connected, nil
}

// clients asks the loop how many clients the server has.
func (s *slowRig) clients() int {
	ch := make(chan int, 1)
	s.r.CallFromGoroutine(func() { ch <- s.f.Clients() })
	return <-ch
}

// A slow client holds its connection (56 bytes, and the peer's address,
// 64, made once and kept), its protocol (48), a descriptor slot (40) and a
// queue slot, about 270 bytes in all, and nothing more while its socket
// takes every chunk: no producer state (128 bytes a connection when every
// client registered as its connection's producer), no timer of its own, no
// copy of the poem. Ten thousand slow clients are W4 of bench/run.
func TestSlowClientHeapCost(t *testing.T) {
	const n = 2000
	const perClient = 320
	// One chunk now, the next in an hour: the clients stay connected and
	// the schedule stays still while the heap is measured.
	s := newSlowRig(t, n, strings.Repeat("poetry ", 1000), time.Hour)
	var grown int64
	var connected int
	var dialErr error
	go func() {
		defer s.r.CallFromGoroutine(func() { s.r.Stop() })
		before := heapInUse()
		if connected, dialErr = s.connect(); dialErr != nil {
			return
		}
		grown = heapInUse() - before
	}()
	run(t, s.r)
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

// Once its clients are connected, the slow server sends chunk after chunk
// without allocating: the queue's array is reused as clients turn over in
// it, and the tick's timer is rearmed, not made again (it was one timer a
// tick and a regrown queue array now and then: garbage that raised the
// heap of a server with ten thousand slow clients).
func TestSlowServerSteadyStateAllocatesNothing(t *testing.T) {
	const n = 500
	const delay = 5 * time.Millisecond
	s := newSlowRig(t, n, strings.Repeat("poetry ", 10000), delay)
	var mallocs, sent uint64
	var setupErr error
	go func() {
		defer s.r.CallFromGoroutine(func() { s.r.Stop() })
		connected, err := s.connect()
		if setupErr = err; err == nil && connected < n {
			setupErr = fmt.Errorf("%d of %d clients connected", connected, n)
		}
		if setupErr != nil {
			return
		}
		time.Sleep(10 * delay) // let the queue reach its size
		// Both readings are taken on the loop, between its turns.
		var before, after runtime.MemStats
		readings := make(chan struct{})
		s.r.CallFromGoroutine(func() { runtime.ReadMemStats(&before); readings <- struct{}{} })
		<-readings
		queued := unread(s.fds)
		time.Sleep(100 * delay)
		s.r.CallFromGoroutine(func() { runtime.ReadMemStats(&after); readings <- struct{}{} })
		<-readings
		mallocs = after.Mallocs - before.Mallocs
		sent = uint64(unread(s.fds) - queued)
	}()
	run(t, s.r)
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	chunks := sent / 10
	t.Logf("%d chunks to %d clients: %d allocations", chunks, n, mallocs)
	// 100 delays should see about 100 chunks a client; a machine so loaded
	// that not even 10 went out cannot tell a tick's allocations apart.
	if chunks < n*10 {
		t.Skipf("only %d chunks went out in %v: the machine is too loaded to measure", chunks, 100*delay)
	}
	// A few for the test's own goroutine and the runtime.
	if mallocs > 10 {
		t.Errorf("%d allocations for %d chunks, want none", mallocs, chunks)
	}
}

// unread returns the bytes waiting to be read on the sockets fds.
func unread(fds []int) int {
	total := 0
	for _, fd := range fds {
		n, _ := unix.IoctlGetInt(fd, unix.SIOCINQ)
		total += n
	}
	return total
}
