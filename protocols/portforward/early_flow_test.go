package portforward

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// The early data (what the client sent while the target's connect was
// pending) can fill the target's buffer past its high water mark, and the
// target then pauses the client. That pause holds: a resume of the client
// made after writing the early data undid it while the target still took
// its producer for paused, and the relay buffered without bound (14 MB) for
// a target that reads nothing.
func TestEarlyDataKeepsTheTargetsFlowControl(t *testing.T) {
	release := make(chan struct{})
	target, open := slowTarget(t, func(net.Conn) { <-release }, func(fd int) { // never reads
		// A target that takes little: a small window and a small MSS, so
		// that the relay's kernel send buffer stays small, as over a real
		// network.
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536)
	})
	addr, ended, stop := startRelay(t, "epoll", target)
	defer stop()
	c := dial(t, addr, 0)
	c.Write(make([]byte, 60<<10)) // one read of 60 KiB: kept, not paused
	time.Sleep(100 * time.Millisecond)
	const total = 16 << 20
	wrote := make(chan int, 1)
	go func() {
		c.SetWriteDeadline(time.Now().Add(4 * time.Second))
		n, _ := c.Write(make([]byte, total)) // the next read passes maxEarly: paused
		wrote <- n
	}()
	time.Sleep(200 * time.Millisecond)
	open() // the relay's SYN is retransmitted about 1 s after the first
	n := <-wrote
	close(release) // the target goes: the relay ends
	e := waitEnded(t, ended)
	t.Logf("client wrote %d bytes; relay read %d; most waiting for the target at once: %d",
		60<<10+n, e.server.Relayed, e.server.MaxPeerBuffered)
	if limit := 2 * (64 << 10); e.server.MaxPeerBuffered > limit {
		t.Errorf("%d bytes waited for a target that reads nothing; flow control allows at most the high water mark plus one read (%d)",
			e.server.MaxPeerBuffered, limit)
	}
}
