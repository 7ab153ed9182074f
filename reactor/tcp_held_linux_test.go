package reactor

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	checkTransferTuning = func(t *testing.T, c *Conn) {
		v, err := unix.GetsockoptInt(int(c.fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT)
		if err != nil || v != transferNotSentLowat {
			t.Errorf("TCP_NOTSENT_LOWAT %d (%v), want %d", v, err, transferNotSentLowat)
		}
	}
	notSentBytes = func(fd int32) int {
		info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			return -1
		}
		return int(info.Notsent_bytes)
	}
	segmentsIn = func(c *net.TCPConn) int {
		rc, err := c.SyscallConn()
		if err != nil {
			return -1
		}
		n := -1
		rc.Control(func(fd uintptr) {
			if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
				n = int(info.Segs_in)
			}
		})
		return n
	}
}

// A poem written and closed in ConnectionMade reaches the client as one
// segment carrying the data and the FIN: with the SYN-ACK of the
// handshake, two segments in all. A plain write would send the data at
// once and the FIN after it: three.
func TestFastServerSendsDataWithFIN(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	poem := pattern(3003)
	srv := &servers{build: func() *recorder {
		return &recorder{
			onMade: func(p *recorder) {
				p.Transport.Write(poem)
				p.Transport.LoseConnection()
			},
			onLost: func(*recorder, error) { r.Stop() },
		}
	}}
	port := listen(t, r, srv)
	segs := make(chan int, 1)
	go func() {
		c := goDial(t, port.Addr())
		if c == nil {
			segs <- -1
			r.Stop()
			return
		}
		if b, err := readAll(c); err != nil || len(b) != len(poem) {
			t.Errorf("read %d bytes, %v", len(b), err)
		}
		segs <- segmentsIn(c) // before our own FIN, which the server would ACK
	}()
	run(t, r)
	if n := <-segs; n != 2 {
		t.Errorf("the client received %d segments, want 2 (SYN-ACK, then data with FIN)", n)
	}
}
