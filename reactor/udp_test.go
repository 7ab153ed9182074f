package reactor

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// udpRecorder records datagrams and runs a hook on each.
type udpRecorder struct {
	BaseDatagramProtocol
	got     []string
	from    []*net.UDPAddr
	onData  func(p *udpRecorder, data []byte, addr *net.UDPAddr)
	refused int
	onRef   func()
	stopped int
}

func (p *udpRecorder) DatagramReceived(data []byte, addr *net.UDPAddr) {
	p.got = append(p.got, string(data))
	p.from = append(p.from, addr)
	if p.onData != nil {
		p.onData(p, data, addr)
	}
}

func (p *udpRecorder) ConnectionRefused() {
	p.refused++
	if p.onRef != nil {
		p.onRef()
	}
}

func (p *udpRecorder) StopProtocol() { p.stopped++ }

func listenUDP(t *testing.T, r *Reactor, p DatagramProtocol, opts ...UDPOption) *UDPPort {
	t.Helper()
	return listenUDPAt(t, r, "127.0.0.1:0", p, opts...)
}

func listenUDPAt(t *testing.T, r *Reactor, addr string, p DatagramProtocol, opts ...UDPOption) *UDPPort {
	t.Helper()
	port, err := r.ListenUDP(addr, p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.StopListening() })
	return port
}

// An echo server and a client on every backend: datagrams go both ways
// with the sender's address, and StopProtocol comes once.
func TestUDPEcho(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		echo := &udpRecorder{onData: func(p *udpRecorder, data []byte, addr *net.UDPAddr) {
			if err := p.Transport.Write(append([]byte("echo "), data...), addr); err != nil {
				t.Error(err)
			}
		}}
		server := listenUDP(t, r, echo)
		client := &udpRecorder{onData: func(p *udpRecorder, _ []byte, _ *net.UDPAddr) {
			if len(p.got) == 3 {
				r.Stop()
			}
		}}
		cport := listenUDP(t, r, client)
		if client.Transport != cport {
			t.Fatal("StartProtocol not called with the port")
		}
		r.CallWhenRunning(func() {
			for _, m := range []string{"one", "two", "three"} {
				if err := cport.Write([]byte(m), server.Addr()); err != nil {
					t.Error(err)
				}
			}
		})
		r.CallLater(testTimeout, func() { r.Stop() })
		run(t, r)
		if len(client.got) != 3 || client.got[0] != "echo one" || client.got[2] != "echo three" {
			t.Fatalf("client got %q", client.got)
		}
		if client.from[0].Port != server.Addr().Port || echo.from[0].Port != cport.Addr().Port {
			t.Errorf("addresses %v %v", client.from[0], echo.from[0])
		}
		server.StopListening()
		server.StopListening()
		if echo.stopped != 1 {
			t.Errorf("StopProtocol called %d times", echo.stopped)
		}
		if err := server.Write([]byte("x"), cport.Addr()); err == nil {
			t.Error("write on a stopped port succeeded")
		}
	})
}

// A connected port whose peer has no socket hears ConnectionRefused.
func TestUDPConnectedRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		dead, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		deadAddr := dead.LocalAddr().String()
		dead.Close()
		p := &udpRecorder{}
		p.onRef = func() { r.CallLater(0, func() { r.Stop() }) }
		port := listenUDP(t, r, p)
		if err := port.Write([]byte("x"), nil); err != ErrNotConnected {
			t.Errorf("unconnected write without address: %v", err)
		}
		if err := port.Connect(deadAddr); err != nil {
			t.Fatal(err)
		}
		if port.Connected().String() != deadAddr {
			t.Errorf("connected to %v", port.Connected())
		}
		// Each send may draw an ICMP error; keep sending until one is
		// reported (the first normally is).
		var tick func()
		tick = func() {
			port.Write([]byte("anyone?"), nil)
			r.CallLater(50*time.Millisecond, tick)
		}
		r.CallWhenRunning(tick)
		r.CallLater(testTimeout, func() { r.Stop() })
		run(t, r)
		if p.refused == 0 {
			t.Fatal("ConnectionRefused never called")
		}
	})
}

// One busy socket cannot hold the loop: at most the batch of datagrams is
// read per wake-up, and timers run in between.
func TestUDPReadBatchBounded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		const n, batch = 20, 4
		seenAtTick := -1
		p := &udpRecorder{}
		p.onData = func(p *udpRecorder, _ []byte, _ *net.UDPAddr) {
			if len(p.got) == 1 {
				r.CallLater(0, func() { seenAtTick = len(p.got) })
			}
			if len(p.got) == n {
				r.CallLater(0, func() { r.Stop() })
			}
		}
		port := listenUDP(t, r, p, WithReadBatch(batch), WithReceiveBuffer(256<<10))
		if got, err := port.ReceiveBuffer(); err != nil || got < 256<<10 {
			t.Errorf("receive buffer %d, %v", got, err)
		}
		c, err := net.DialUDP("udp", nil, port.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for i := range n {
			c.Write([]byte{byte(i)})
		}
		r.CallLater(testTimeout, func() { r.Stop() })
		run(t, r)
		if len(p.got) != n {
			t.Fatalf("got %d datagrams, want %d", len(p.got), n)
		}
		if seenAtTick < 1 || seenAtTick > batch {
			t.Fatalf("%d datagrams delivered before the loop turned, want at most %d", seenAtTick, batch)
		}
	})
}

// A connected port sends to its peer only: given its peer's address it
// sends, given another it refuses with ErrNotPeer and sends nothing (the
// kernel would have sent that datagram to the peer).
func TestUDPConnectedWriteOtherAddress(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	peer, other := &udpRecorder{}, &udpRecorder{}
	peer.onData = func(*udpRecorder, []byte, *net.UDPAddr) { r.CallLater(20*time.Millisecond, func() { r.Stop() }) }
	pp, po := listenUDP(t, r, peer), listenUDP(t, r, other)
	port := listenUDP(t, r, &udpRecorder{})
	if err := port.Connect(pp.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := port.Write([]byte("for other"), po.Addr()); !errors.Is(err, ErrNotPeer) {
		t.Errorf("write to another address: %v, want ErrNotPeer", err)
	}
	if err := port.Write([]byte("for peer"), pp.Addr()); err != nil {
		t.Errorf("write to the peer's own address: %v", err)
	}
	r.CallLater(testTimeout, func() { r.Stop() })
	run(t, r)
	if strings.Join(peer.got, "|") != "for peer" || len(other.got) != 0 {
		t.Errorf("peer got %q, other got %q", peer.got, other.got)
	}
}

// A panic in DatagramReceived costs that datagram only: the port goes on
// serving. It closed the port, ending the service for every peer.
func TestUDPPanicKeepsPort(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, logs := newReactor(t, backend)
		srv := &udpRecorder{onData: func(_ *udpRecorder, data []byte, _ *net.UDPAddr) {
			if string(data) == "boom" {
				panic("DatagramReceived fell over")
			}
			r.Stop()
		}}
		port := listenUDP(t, r, srv)
		c, err := net.DialUDP("udp", nil, port.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("boom"))
		r.CallLater(50*time.Millisecond, func() { c.Write([]byte("after")) })
		r.CallLater(testTimeout, func() { r.Stop() })
		run(t, r)
		if strings.Join(srv.got, "|") != "boom|after" {
			t.Errorf("datagrams %q: the port did not go on after the panic", srv.got)
		}
		if !strings.Contains(logs.String(), "DatagramReceived fell over") {
			t.Errorf("the panic was not logged:\n%s", logs)
		}
	})
}

// A stopped port answers net.ErrClosed, and never about the socket that
// has its old descriptor number since: ReceiveBuffer gave that socket's
// buffer size.
func TestUDPStoppedPortClosed(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	port := listenUDP(t, r, &udpRecorder{})
	port.StopListening()
	other := listenUDP(t, r, &udpRecorder{}, WithReceiveBuffer(128<<10))
	if n, err := port.ReceiveBuffer(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReceiveBuffer of a stopped port: %d, %v; want net.ErrClosed (the port on its old descriptor %d has its own)", n, err, other.Fd())
	}
	if err := port.Connect(other.Addr().String()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Connect of a stopped port: %v, want net.ErrClosed", err)
	}
	if err := port.Write([]byte("x"), other.Addr()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write of a stopped port: %v, want net.ErrClosed", err)
	}
	if fd := port.Fd(); fd != -1 {
		t.Errorf("Fd of a stopped port: %d, want -1", fd)
	}
}
