package reactor

import (
	"testing"

	"golang.org/x/sys/unix"
)

// A TLS connection's WriteCount changes with every Write and WriteShared,
// those that wait in the plaintext queue (behind shared plaintext the
// socket has not taken) too, as a TCP connection's changes with every
// write it buffers. It reported the TCP connection's count, which sees
// nothing until the queue is encrypted: policies.IdleTimeout took a
// connection its protocol was writing to for an idle one.
func TestTLSWriteCountChangesWhileQueued(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	var counts [3]uint32
	var queued int
	srv := &servers{build: func() *recorder {
		var tc *TLSConn
		return &recorder{onData: func(p *recorder, _ []byte) {
			if tc != nil {
				return
			}
			tc = p.Transport.(*TLSConn)
			unix.SetsockoptInt(tc.Conn().Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
			tc.WriteShared(pattern(1 << 20))
			queued = tc.queue.n
			counts[0] = tc.WriteCount()
			tc.Write([]byte("heartbeat"))
			counts[1] = tc.WriteCount()
			tc.WriteShared([]byte("shared heartbeat"))
			counts[2] = tc.WriteCount()
			tc.AbortConnection()
		}}
	}}
	got := lateReader(t, r, listenTLS(t, r, srv))
	run(t, r)
	<-got
	if queued == 0 {
		t.Skip("the socket took the whole poem: nothing was queued")
	}
	if counts[1] == counts[0] {
		t.Errorf("WriteCount unchanged (%d) by a Write made while %d bytes of plaintext waited", counts[0], queued)
	}
	if counts[2] == counts[1] {
		t.Errorf("WriteCount unchanged (%d) by a WriteShared made while %d bytes of plaintext waited", counts[1], queued)
	}
}
