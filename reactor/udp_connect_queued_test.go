package reactor

import (
	"net"
	"strconv"
	"testing"
)

// A connected port hears its peer only, even a datagram another peer
// sent before Connect that was still waiting in the socket: the kernel
// filters only what arrives after connect(2). That one was delivered, as
// if the peer had sent it. A dual-stack port connected to an IPv4 peer
// (whose datagrams come IPv4-mapped) still hears it.
func TestUDPConnectDropsDatagramsQueuedFromOthers(t *testing.T) {
	for _, at := range []string{"127.0.0.1:0", "[::]:0"} {
		t.Run(at, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			p := &udpRecorder{onData: func(*udpRecorder, []byte, *net.UDPAddr) { r.Stop() }}
			port, err := r.ListenUDP(at, p)
			if err != nil {
				t.Skipf("no socket on %s here: %v", at, err)
			}
			defer port.StopListening()
			to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port.Addr().Port}
			other, peer := localUDP(t), localUDP(t)
			if _, err := other.WriteTo([]byte("from another"), to); err != nil {
				t.Fatal(err)
			}
			if err := port.Connect(peer.LocalAddr().String()); err != nil {
				t.Fatal(err)
			}
			if _, err := peer.WriteTo([]byte("from the peer"), to); err != nil {
				t.Fatal(err)
			}
			r.CallLater(testTimeout, func() { r.Stop() })
			run(t, r)
			if len(p.got) != 1 || p.got[0] != "from the peer" {
				t.Fatalf("connected port got %q", p.got)
			}
		})
	}
}

// localUDP is a plain socket on 127.0.0.1, closed when the test ends.
func localUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// A port connected to an unspecified address ("0.0.0.0:53", "[::]:53",
// which connect(2) takes for this host) hears its peer, whose datagrams
// come from a loopback address. The filter compared them with the
// address given and dropped every one.
func TestUDPConnectToUnspecifiedHearsThePeer(t *testing.T) {
	for _, c := range []struct{ at, peerNet, peerAt, connect string }{
		{"127.0.0.1:0", "udp4", "127.0.0.1:0", "0.0.0.0"},
		{"[::1]:0", "udp6", "[::1]:0", "::"},
	} {
		t.Run(c.connect, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			p := &udpRecorder{onData: func(*udpRecorder, []byte, *net.UDPAddr) { r.Stop() }}
			port, err := r.ListenUDP(c.at, p)
			if err != nil {
				t.Skipf("no socket on %s here: %v", c.at, err)
			}
			defer port.StopListening()
			peerAddr, _ := net.ResolveUDPAddr(c.peerNet, c.peerAt)
			peer, err := net.ListenUDP(c.peerNet, peerAddr)
			if err != nil {
				t.Skip(err)
			}
			defer peer.Close()
			pa := peer.LocalAddr().(*net.UDPAddr)
			if err := port.Connect(net.JoinHostPort(c.connect, strconv.Itoa(pa.Port))); err != nil {
				t.Fatal(err)
			}
			if _, err := peer.WriteTo([]byte("from the peer"), port.Addr()); err != nil {
				t.Fatal(err)
			}
			r.CallLater(testTimeout/4, func() { r.Stop() })
			run(t, r)
			if len(p.got) != 1 {
				t.Fatalf("a port connected to %s got %q", c.connect, p.got)
			}
		})
	}
}
