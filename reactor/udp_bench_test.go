package reactor

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// udpEchoRig starts an echo protocol on a UDP port of a reactor that is
// not running, and peers raw sockets connected to it (so that the peers'
// side allocates nothing). roundTrip sends one byte from each peer in
// turn, has the port read it (the echo answers at once) and reads the
// answer; sender returns the address the protocol was last given.
func udpEchoRig(tb testing.TB, peers int) (roundTrip func(), sender func() *net.UDPAddr) {
	r, _ := newReactor(tb, DefaultBackend())
	var last *net.UDPAddr
	echo := &udpEcho{write: func(p *udpEcho, data []byte, addr *net.UDPAddr) {
		last = addr
		if err := p.Transport.Write(data, addr); err != nil {
			tb.Error(err)
		}
	}}
	port, err := r.ListenUDP("127.0.0.1:0", echo)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { port.StopListening() })
	fds := make([]int, peers)
	for i := range fds {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { unix.Close(fd) })
		if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port.Addr().Port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			tb.Fatal(err)
		}
		// An answer sent to the wrong peer fails the read, not hangs it.
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5})
		fds[i] = fd
	}
	msg, reply := []byte("x"), make([]byte, 16)
	roundTrip = func() {
		for _, fd := range fds {
			if _, err := unix.Write(fd, msg); err != nil {
				tb.Fatal(err)
			}
			port.DoRead()
			if _, err := unix.Read(fd, reply); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return roundTrip, func() *net.UDPAddr { return last }
}

// udpEcho answers every datagram through write.
type udpEcho struct {
	BaseDatagramProtocol
	write func(p *udpEcho, data []byte, addr *net.UDPAddr)
}

func (p *udpEcho) DatagramReceived(data []byte, addr *net.UDPAddr) { p.write(p, data, addr) }

// Receiving a datagram and answering it allocates nothing once the peer
// has been seen: recvfrom and sendto use the port's raw address, and the
// sender's *net.UDPAddr is reused while the same peer sends. (Before, an
// echoed datagram cost 8 allocations: the sockaddr package unix made, a
// *net.TCPAddr and a *net.UDPAddr made from it, and for the answer a
// sockaddr and a *net.UDPAddr.)
func TestUDPEchoAllocatesNothing(t *testing.T) {
	roundTrip, sender := udpEchoRig(t, 1)
	roundTrip() // the first datagram of a peer makes its address
	first := sender()
	if allocs := testing.AllocsPerRun(200, roundTrip); allocs != 0 {
		t.Errorf("%.1f allocations per datagram echoed, want 0", allocs)
	}
	if sender() != first {
		t.Error("the same peer's datagrams came with different *net.UDPAddr values")
	}
	if a := sender(); a.Port == 0 || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("sender %v", a)
	}
}

// One datagram in and its echo out through a UDP port: a recvfrom, the
// protocol, a sendto (and the peer's write and read).
func BenchmarkUDPEcho(b *testing.B) {
	roundTrip, _ := udpEchoRig(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		roundTrip()
	}
}

// Peers whose datagrams interleave cost nothing either, once each has been
// seen: the port remembers a few senders, not only the last one (each
// datagram from a peer other than the last cost an allocation).
func TestUDPEchoInterleavedPeersAllocateNothing(t *testing.T) {
	roundTrip, _ := udpEchoRig(t, 4)
	roundTrip()
	if allocs := testing.AllocsPerRun(100, roundTrip); allocs != 0 {
		t.Errorf("%.1f allocations per four datagrams from four peers in turn, want 0", allocs)
	}
}

// More peers than the port remembers, in turn: each answer still goes to
// the peer that asked (the cache's replaced entries are not confused).
func TestUDPEchoManyPeers(t *testing.T) {
	roundTrip, _ := udpEchoRig(t, senderSlots+3)
	for range 3 {
		roundTrip()
	}
}

// Four peers in turn, a datagram each, echoed.
func BenchmarkUDPEchoInterleavedPeers(b *testing.B) {
	roundTrip, _ := udpEchoRig(b, 4)
	b.ReportAllocs()
	for b.Loop() {
		roundTrip()
	}
}

// The raw addresses of recvfrom and sendto in IPv6: an echo on ::1, and on
// a dual-stack socket ([::]) answering an IPv4 peer, whose address comes
// and goes IPv4-mapped.
func TestUDPEchoIPv6(t *testing.T) {
	if ln, err := net.ListenPacket("udp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		ln.Close()
	}
	for _, c := range []struct{ server, client, want string }{
		{"[::1]:0", "[::1]:0", "::1"},
		{"[::]:0", "127.0.0.1:0", "127.0.0.1"},
	} {
		t.Run(c.server+" from "+c.client, func(t *testing.T) {
			r, _ := newReactor(t, DefaultBackend())
			var seen *net.UDPAddr
			server, err := r.ListenUDP(c.server, &udpEcho{write: func(p *udpEcho, data []byte, addr *net.UDPAddr) {
				seen = addr
				if err := p.Transport.Write(data, addr); err != nil {
					t.Error(err)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer server.StopListening()
			client := &udpRecorder{onData: func(*udpRecorder, []byte, *net.UDPAddr) { r.Stop() }}
			cport := listenUDPAt(t, r, c.client, client)
			to := &net.UDPAddr{IP: net.ParseIP(c.want), Port: server.Addr().Port}
			r.CallWhenRunning(func() {
				if err := cport.Write([]byte("hello"), to); err != nil {
					t.Error(err)
				}
			})
			r.CallLater(testTimeout, func() { r.Stop() })
			run(t, r)
			if len(client.got) != 1 || client.got[0] != "hello" {
				t.Fatalf("client got %q", client.got)
			}
			if seen == nil || !seen.IP.Equal(net.ParseIP(c.want)) || seen.Port != cport.Addr().Port {
				t.Errorf("the server saw the sender as %v, want %s port %d", seen, c.want, cport.Addr().Port)
			}
		})
	}
}
