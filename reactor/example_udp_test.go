package reactor_test

import (
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"gyre/reactor"
)

// udpNobodyListens returns an address of r's on which no datagram from
// elsewhere is taken: a port holds it, so that nothing else can take it
// while the example runs, and is connected to itself, so that the kernel
// gives it its own datagrams only and answers any other sender's with
// ICMP port unreachable, as if nothing were bound there.
func udpNobodyListens(r *reactor.Reactor) string {
	hold, err := r.ListenUDP("127.0.0.1:0", &reactor.BaseDatagramProtocol{})
	if err != nil {
		log.Fatal(err)
	}
	if err := hold.Connect(hold.Addr().String()); err != nil {
		log.Fatal(err)
	}
	return hold.Addr().String()
}

// refusedClient reports its peer's first refusal.
type refusedClient struct {
	reactor.BaseDatagramProtocol
	stop    func()
	refused bool
}

func (p *refusedClient) ConnectionRefused() {
	if !p.refused {
		p.refused = true
		fmt.Println("refused: nobody takes datagrams there")
		p.stop()
	}
}

// A connected port sends to its peer without naming it, takes datagrams
// from it only, and hears through ConnectionRefused that the peer's host
// answered a datagram with ICMP port unreachable (nothing listens there).
func ExampleUDPPort_Connect() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	peer := udpNobodyListens(r)
	port, err := r.ListenUDP("127.0.0.1:0", &refusedClient{stop: func() { r.Stop() }})
	if err != nil {
		log.Fatal(err)
	}
	if err := port.Connect(peer); err != nil {
		log.Fatal(err)
	}
	fmt.Println("connected:", port.Connected().String() == peer)
	other := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	fmt.Println("to another address:", errors.Is(port.Write([]byte("hello?"), other), reactor.ErrNotPeer))
	// UDP may lose the ICMP answer as it may lose a datagram: ask again
	// until one comes back (the first normally does).
	var ask func()
	ask = func() {
		port.Write([]byte("anyone there?"), nil) // its refusal, if it comes now, is reported to the protocol too
		r.CallLater(100*time.Millisecond, ask)
	}
	r.CallWhenRunning(ask)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// connected: true
	// to another address: true
	// refused: nobody takes datagrams there
}

// turnCounter counts the datagrams it gets, and the most the port handed
// it in one turn of the loop, and stops the loop after the last.
type turnCounter struct {
	reactor.BaseDatagramProtocol
	r                     *reactor.Reactor
	want, got, turn, most int
}

func (p *turnCounter) DatagramReceived([]byte, *net.UDPAddr) {
	if p.turn == 0 {
		// Due at once, it runs when the port has read its batch.
		p.r.CallLater(0, p.turnOver)
	}
	p.turn++
	p.got++
}

func (p *turnCounter) turnOver() {
	p.most, p.turn = max(p.most, p.turn), 0
	if p.got == p.want {
		p.r.Stop()
	}
}

// sendBurst sends n small datagrams to addr from a port of r, at once.
func sendBurst(r *reactor.Reactor, addr *net.UDPAddr, n int) {
	sender, err := r.ListenUDP("127.0.0.1:0", &reactor.BaseDatagramProtocol{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range n {
		if err := sender.Write(fmt.Appendf(nil, "line %d", i), addr); err != nil {
			log.Fatal(err)
		}
	}
}

// A port with room for a burst: datagrams that arrive while the loop is
// busy elsewhere (here, before it runs) wait in the socket's receive
// buffer, and those that find it full are dropped by the kernel. The
// kernel may give more room than asked (Linux doubles it), never less
// unless its limit (net.core.rmem_max on Linux) is lower.
func ExampleWithReceiveBuffer() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	counter := &turnCounter{r: r, want: 50}
	port, err := r.ListenUDP("127.0.0.1:0", counter, reactor.WithReceiveBuffer(128<<10))
	if err != nil {
		log.Fatal(err)
	}
	size, err := port.ReceiveBuffer()
	fmt.Println("room as asked:", size >= 128<<10, err)
	sendBurst(r, port.Addr(), counter.want)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("datagrams:", counter.got)
	// Output:
	// room as asked: true <nil>
	// datagrams: 50
}

// A busy port cannot hold the loop: it reads at most the batch of
// datagrams per turn, and timers and the other descriptors have their
// turn in between.
func ExampleWithReadBatch() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	counter := &turnCounter{r: r, want: 10}
	port, err := r.ListenUDP("127.0.0.1:0", counter, reactor.WithReadBatch(4))
	if err != nil {
		log.Fatal(err)
	}
	sendBurst(r, port.Addr(), counter.want)
	if err := r.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("datagrams:", counter.got)
	fmt.Println("at most 4 in a turn:", counter.most <= 4)
	// Output:
	// datagrams: 10
	// at most 4 in a turn: true
}

// Two ports on one address, as two loops of one server would each open
// theirs: with SO_REUSEPORT the second bind succeeds and the kernel
// spreads the senders between them (by their address and port, so one
// sender's datagrams always reach the same port). Without it, the second
// ListenUDP fails with "address already in use".
func ExampleWithUDPReusePort() {
	r, err := reactor.New()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close() // the reactor is not run here: Close releases its ports
	first, err := r.ListenUDP("127.0.0.1:0", &reactor.BaseDatagramProtocol{}, reactor.WithUDPReusePort())
	if err != nil {
		log.Fatal(err)
	}
	addr := first.Addr().String()
	_, err = r.ListenUDP(addr, &reactor.BaseDatagramProtocol{}, reactor.WithUDPReusePort())
	fmt.Println("second port with SO_REUSEPORT:", err)
	_, err = r.ListenUDP(addr, &reactor.BaseDatagramProtocol{})
	fmt.Println("third port without it fails:", err != nil)
	// Output:
	// second port with SO_REUSEPORT: <nil>
	// third port without it fails: true
}
