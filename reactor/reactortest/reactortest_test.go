package reactortest

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// keeper keeps the slices DataReceived lends it (the mistake the reactor's
// read buffer punishes) and records ConnectionLost.
type keeper struct {
	reactor.BaseProtocol
	kept   [][]byte
	lost   []error
	onMade func(t reactor.Transport)
}

func (k *keeper) ConnectionMade() {
	if k.onMade != nil {
		k.onMade(k.Transport)
	}
}
func (k *keeper) DataReceived(b []byte)  { k.kept = append(k.kept, b) }
func (k *keeper) ConnectionLost(r error) { k.lost = append(k.lost, r) }

func TestWritesRecordedInOrder(t *testing.T) {
	st := NewStringTransport()
	buf := []byte("one")
	st.Write(buf)
	buf[0] = 'X' // the transport kept a copy
	st.WriteSequence([][]byte{[]byte("two"), []byte("three")})
	st.Write(nil)
	if got := st.Writes(); len(got) != 2 || string(got[0]) != "one" || string(got[1]) != "twothree" {
		t.Errorf("Writes = %q", got)
	}
	if st.String() != "onetwothree" {
		t.Errorf("Value = %q", st.String())
	}
	st.AbortConnection()
	st.Write([]byte("after abort"))
	if strings.Contains(st.String(), "after") || !st.Aborted() {
		t.Errorf("a write after AbortConnection was kept: %q", st.String())
	}
	st.Clear()
	if len(st.Writes()) != 0 {
		t.Error("Clear kept writes")
	}
}

// Receive lends the data as the reactor does: a protocol that keeps the
// slice sees it overwritten.
func TestReceiveLendsTheData(t *testing.T) {
	st := NewStringTransport()
	k := &keeper{}
	st.Connect(k)
	if k.Transport != st || st.Protocol() != k {
		t.Fatal("Connect did not attach the protocol")
	}
	st.Receive([]byte("poem"))
	if string(k.kept[0]) == "poem" {
		t.Error("the lent slice still holds the data after DataReceived returned")
	}
	st.PauseProducing()
	if st.Receive([]byte("x")) || st.ProducerState() != Paused {
		t.Error("a paused transport delivered data")
	}
	st.ResumeProducing()
	if !st.Receive([]byte("x")) {
		t.Error("a resumed transport did not deliver data")
	}
}

func TestEndings(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(*StringTransport)
		want error
	}{
		{"ClosePeer", (*StringTransport).ClosePeer, reactor.ErrConnectionDone},
		{"ResetPeer", (*StringTransport).ResetPeer, syscall.ECONNRESET},
		{"Disconnect after LoseConnection", func(s *StringTransport) { s.LoseConnection(); s.Disconnect() }, reactor.ErrConnectionDone},
		{"Disconnect after AbortConnection", func(s *StringTransport) { s.AbortConnection(); s.Disconnect() }, reactor.ErrConnectionAborted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStringTransport()
			k := &keeper{}
			st.Connect(k)
			tc.end(st)
			tc.end(st) // once only
			if len(k.lost) != 1 || !errors.Is(k.lost[0], tc.want) {
				t.Errorf("ConnectionLost %v, want once with %v", k.lost, tc.want)
			}
			if lost, reason := st.Lost(); !lost || reason != k.lost[0] {
				t.Errorf("Lost() = %v, %v", lost, reason)
			}
			if st.Receive([]byte("late")) {
				t.Error("data delivered after the end")
			}
		})
	}
	st := NewStringTransport()
	st.Connect(&keeper{})
	if st.Disconnect() {
		t.Error("Disconnect ended a connection nobody asked to close")
	}
}

type pullProducer struct{ resumed, stopped int }

func (p *pullProducer) ResumeProducing() { p.resumed++ }
func (p *pullProducer) StopProducing()   { p.stopped++ }

func TestProducerRegistration(t *testing.T) {
	st := NewStringTransport()
	p := &pullProducer{}
	if err := st.RegisterProducer(p, false); err != nil {
		t.Fatal(err)
	}
	if err := st.RegisterProducer(&pullProducer{}, false); !errors.Is(err, reactor.ErrProducerRegistered) {
		t.Errorf("second producer: %v", err)
	}
	if got, streaming := st.Producer(); got != p || streaming {
		t.Errorf("Producer() = %v, %v", got, streaming)
	}
	st.ResetPeer()
	if p.stopped != 1 {
		t.Error("the producer was not stopped when the connection ended")
	}
	late := &pullProducer{}
	st.UnregisterProducer()
	st.RegisterProducer(late, false)
	if late.stopped != 1 {
		t.Error("a producer registered on an ended connection was not stopped")
	}
}

// The double refuses what a real connection refuses (reactor.CheckProducer),
// so that a protocol whose test passes on it does not fail on a socket.
func TestProducerRefused(t *testing.T) {
	st := NewStringTransport()
	if err := st.RegisterProducer(nil, false); !errors.Is(err, reactor.ErrNilProducer) {
		t.Errorf("nil producer: %v", err)
	}
	if err := st.RegisterProducer(&pullProducer{}, true); !errors.Is(err, reactor.ErrNotPushProducer) {
		t.Errorf("streaming producer that cannot pause: %v", err)
	}
	if p, _ := st.Producer(); p != nil {
		t.Errorf("a refused producer was recorded: %v", p)
	}
}

func TestAddresses(t *testing.T) {
	st := NewStringTransport()
	if st.Peer().String() != "192.168.1.1:54321" || st.Host().String() != "10.0.0.1:12345" {
		t.Errorf("defaults %v %v", st.Peer(), st.Host())
	}
	st.PeerAddr = &net.TCPAddr{IP: net.IPv6loopback, Port: 1}
	if st.Peer().String() != "[::1]:1" {
		t.Errorf("PeerAddr not used: %v", st.Peer())
	}
}

// clientFactory records what a ClientFactory hears.
type clientFactory struct {
	reactor.BaseClientFactory
	started int
	failed  []error
	lostC   []error
	proto   *keeper
	refuse  bool
}

func (f *clientFactory) BuildProtocol(net.Addr) reactor.Protocol {
	if f.refuse {
		return nil
	}
	f.proto = &keeper{}
	return f.proto
}
func (f *clientFactory) StartedConnecting(*reactor.Connector) { f.started++ }
func (f *clientFactory) ClientConnectionFailed(_ *reactor.Connector, r error) {
	f.failed = append(f.failed, r)
}
func (f *clientFactory) ClientConnectionLost(_ *reactor.Connector, r error) {
	f.lostC = append(f.lostC, r)
}

func TestConnectCompleteAndLose(t *testing.T) {
	r := NewReactor()
	f := &clientFactory{}
	c := r.ConnectTCP("127.0.0.1:10000", f, 0)
	if f.started != 1 || c.State() != reactor.Connecting || len(r.Connects()) != 1 {
		t.Fatalf("after ConnectTCP: started %d, state %v, %d attempts", f.started, c.State(), len(r.Connects()))
	}
	attempt := r.LastConnect()
	if attempt.Connector() != c || !attempt.Pending() {
		t.Fatal("the attempt is not the connector's")
	}
	st, p := attempt.Complete()
	if p != f.proto || c.State() != reactor.Connected || c.Transport() != st {
		t.Fatalf("after Complete: proto %v, state %v", p, c.State())
	}
	if st.Peer().String() != "127.0.0.1:10000" {
		t.Errorf("peer %v", st.Peer())
	}
	c.Disconnect()
	if !st.Disconnecting() {
		t.Error("Disconnect did not lose the connection")
	}
	st.Disconnect()
	if len(f.proto.lost) != 1 || len(f.lostC) != 1 || c.State() != reactor.Disconnected {
		t.Errorf("after the end: protocol lost %v, factory lost %v, state %v", f.proto.lost, f.lostC, c.State())
	}
	c.Connect() // a reconnecting client tries again
	if len(r.Connects()) != 2 || !r.LastConnect().Pending() {
		t.Error("Connect again did not make a new attempt")
	}
}

func TestConnectFailures(t *testing.T) {
	r := NewReactor()
	f := &clientFactory{}
	r.ConnectTCP("127.0.0.1:10000", f, 0)
	r.LastConnect().Refuse()
	var ce *reactor.ConnectError
	if len(f.failed) != 1 || !errors.As(f.failed[0], &ce) || !errors.Is(ce, syscall.ECONNREFUSED) {
		t.Errorf("refused: %v", f.failed)
	}
	if r.LastConnect().Pending() {
		t.Error("a failed attempt is still pending")
	}

	f = &clientFactory{}
	r.ConnectTCP("127.0.0.1:10000", f, 3*time.Second)
	r.Advance(2 * time.Second)
	if len(f.failed) != 0 {
		t.Fatal("timed out early")
	}
	r.Advance(time.Second)
	if len(f.failed) != 1 || !errors.Is(f.failed[0], reactor.ErrConnectTimeout) {
		t.Errorf("timeout: %v", f.failed)
	}
	if _, p := r.LastConnect().Complete(); p != nil {
		t.Error("a timed-out attempt was completed")
	}

	f = &clientFactory{}
	c := r.ConnectTCP("127.0.0.1:10000", f, 0)
	c.StopConnecting()
	if len(f.failed) != 1 || !errors.Is(f.failed[0], reactor.ErrConnectCancelled) {
		t.Errorf("stopped: %v", f.failed)
	}

	f = &clientFactory{refuse: true}
	r.ConnectTCP("127.0.0.1:10000", f, 0)
	r.LastConnect().Complete()
	if len(f.failed) != 1 || !errors.Is(f.failed[0], reactor.ErrNoProtocol) {
		t.Errorf("refused by the factory: %v", f.failed)
	}

	// A bad address fails from the clock, never inside ConnectTCP.
	f = &clientFactory{}
	r.ConnectTCP("no port here", f, 0)
	if len(f.failed) != 0 {
		t.Fatal("failed inside ConnectTCP")
	}
	r.Advance(0)
	if len(f.failed) != 1 {
		t.Errorf("bad address: %v", f.failed)
	}
}

func TestListen(t *testing.T) {
	r := NewReactor()
	made := 0
	f := reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		made++
		return &keeper{onMade: func(tr reactor.Transport) { tr.Write([]byte("hi")) }}
	})
	l, err := r.ListenTCP("127.0.0.1:10000", f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ListenTCP("127.0.0.1:10000", f); !errors.Is(err, ErrListening) {
		t.Errorf("second listen on the same address: %v", err)
	}
	st, p := l.Accept()
	if p == nil || made != 1 || st.String() != "hi" {
		t.Errorf("Accept: proto %v, made %d, wrote %q", p, made, st.String())
	}
	l.StopListening()
	if l.Listening() || len(r.Listens()) != 1 {
		t.Error("StopListening")
	}
	if _, err := r.ListenTCP("127.0.0.1:10000", f); err != nil {
		t.Errorf("listen again after StopListening: %v", err)
	}
}

// A nil factory is refused as the reactor refuses it, not recorded for a
// nil-pointer panic at Accept.
func TestListenNilFactory(t *testing.T) {
	r := NewReactor()
	_, err := r.ListenTCP("127.0.0.1:10000", nil)
	var le *reactor.ListenError
	if !errors.As(err, &le) || err.Error() != "Couldn't listen on 127.0.0.1:10000: nil factory." || len(r.Listens()) != 0 {
		t.Errorf("ListenTCP with a nil factory: %v, %d recorded; want the reactor's *ListenError", err, len(r.Listens()))
	}
}

func TestClockDatesWrites(t *testing.T) {
	r := NewReactor()
	st := &StringTransport{Clock: r}
	st.Write([]byte("a"))
	r.Advance(time.Second)
	st.Write([]byte("b"))
	if _, closed := st.ClosedAt(); closed {
		t.Error("ClosedAt before any close")
	}
	r.Advance(time.Second)
	st.LoseConnection()
	r.Advance(time.Second)
	st.AbortConnection()
	times := st.WriteTimes()
	if len(times) != 2 || times[1].Sub(times[0]) != time.Second {
		t.Errorf("WriteTimes %v", times)
	}
	if at, closed := st.ClosedAt(); !closed || at.Sub(times[0]) != 2*time.Second {
		t.Errorf("ClosedAt %v %v, want the first close", at, closed)
	}
}

// A real connection stops reading when its protocol asks to close it, so
// the double delivers nothing after LoseConnection or AbortConnection
// either, even before the test delivers the end.
func TestNoDataAfterCloseRequested(t *testing.T) {
	for name, end := range map[string]func(*StringTransport){
		"LoseConnection":  (*StringTransport).LoseConnection,
		"AbortConnection": (*StringTransport).AbortConnection,
		"StopProducing":   (*StringTransport).StopProducing,
	} {
		t.Run(name, func(t *testing.T) {
			st := NewStringTransport()
			k := &keeper{}
			st.Connect(k)
			end(st)
			if st.Receive([]byte("late")) || len(k.kept) != 0 {
				t.Errorf("data delivered after %s: %d DataReceived", name, len(k.kept))
			}
		})
	}
}

// halfCloser takes half-closes and records them.
type halfCloser struct {
	keeper
	readLost, writeLost int
	refuse              bool // as a HalfCloseSelector that does not accept them
	onReadLost          func(t reactor.Transport)
}

func (h *halfCloser) ReadConnectionLost() {
	h.readLost++
	if h.onReadLost != nil {
		h.onReadLost(h.Transport)
	}
}
func (h *halfCloser) WriteConnectionLost() { h.writeLost++ }

type selector struct{ *halfCloser }

func (s selector) AcceptsHalfClose() bool { return !s.refuse }

// The peer's end of stream reaches a HalfCloseableProtocol as the reactor
// delivers it: ReadConnectionLost, the connection open for writing, then
// closed once the protocol shuts its own side.
func TestHalfClose(t *testing.T) {
	st := NewStringTransport()
	h := &halfCloser{}
	h.onReadLost = func(tr reactor.Transport) { tr.Write([]byte("answer")) }
	st.Connect(h)
	st.ClosePeer()
	if h.readLost != 1 || len(h.lost) != 0 || !st.ReadClosed() {
		t.Fatalf("ClosePeer on a half-closeable protocol: ReadConnectionLost %d, ConnectionLost %v", h.readLost, h.lost)
	}
	if st.String() != "answer" || st.Receive([]byte("late")) {
		t.Errorf("after the half-close: written %q, or data delivered", st.String())
	}
	st.ClosePeer()
	if h.readLost != 1 || len(h.lost) != 0 {
		t.Errorf("a second ClosePeer: ReadConnectionLost %d, ConnectionLost %v", h.readLost, h.lost)
	}
	st.LoseWriteConnection()
	if h.writeLost != 1 || !st.Disconnect() || len(h.lost) != 1 || !errors.Is(h.lost[0], reactor.ErrConnectionDone) {
		t.Errorf("both sides shut: WriteConnectionLost %d, ConnectionLost %v", h.writeLost, h.lost)
	}
}

// A protocol that shuts its write side first, or does not take
// half-closes now, has the connection end at the peer's end of stream.
func TestHalfCloseEnds(t *testing.T) {
	for name, p := range map[string]reactor.Protocol{
		"write side shut": &halfCloser{keeper: keeper{onMade: func(tr reactor.Transport) {
			tr.(*StringTransport).LoseWriteConnection()
		}}},
		"selector refusing": selector{&halfCloser{refuse: true}},
		"plain protocol":    &keeper{},
	} {
		t.Run(name, func(t *testing.T) {
			st := NewStringTransport()
			st.Connect(p)
			st.ClosePeer()
			if lost, reason := st.Lost(); !lost || reason != reactor.ErrConnectionDone {
				t.Errorf("ClosePeer: Lost() = %v, %v", lost, reason)
			}
		})
	}
}

// LoseWriteConnection in ConnectionMade shuts the write side once
// ConnectionMade has returned, as the reactor does.
func TestLoseWriteConnectionInConnectionMade(t *testing.T) {
	h := &halfCloser{}
	h.onMade = func(tr reactor.Transport) {
		tr.(*StringTransport).LoseWriteConnection()
		if h.writeLost != 0 {
			t.Error("WriteConnectionLost inside ConnectionMade")
		}
	}
	r := NewReactor()
	r.ConnectTCP("127.0.0.1:1", &reactor.BaseClientFactory{BaseFactory: reactor.BaseFactory{Protocol: func() reactor.Protocol { return h }}}, 0)
	r.LastConnect().Complete()
	if h.writeLost != 1 {
		t.Errorf("WriteConnectionLost called %d times, want 1", h.writeLost)
	}
}

// LoseWriteConnection in ConnectionMade is held until ConnectionMade
// returns, as the reactor holds it (reactor's
// TestLoseWriteConnectionInConnectionMadeIsHeld runs the same steps on
// real sockets): writes made after it in ConnectionMade are still sent,
// and a LoseConnection that follows it there closes the connection
// without a WriteConnectionLost.
func TestLoseWriteConnectionHeldInConnectionMade(t *testing.T) {
	for _, tc := range []struct {
		name      string
		steps     func(tr *StringTransport)
		writeLost int
		lost      error // what Disconnect delivers, nil if it delivers nothing
	}{
		{"write, half-close, write", func(tr *StringTransport) {
			tr.Write([]byte("a"))
			tr.LoseWriteConnection()
			tr.Write([]byte("b"))
		}, 1, nil},
		{"write, half-close, write, close", func(tr *StringTransport) {
			tr.Write([]byte("a"))
			tr.LoseWriteConnection()
			tr.Write([]byte("b"))
			tr.LoseConnection()
		}, 0, reactor.ErrConnectionDone},
		{"write, close, half-close, write", func(tr *StringTransport) {
			tr.Write([]byte("a"))
			tr.LoseConnection()
			tr.LoseWriteConnection()
			tr.Write([]byte("b"))
		}, 0, reactor.ErrConnectionDone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStringTransport()
			h := &halfCloser{}
			h.onMade = func(tr reactor.Transport) {
				tc.steps(tr.(*StringTransport))
				if !st.WriteClosed() {
					t.Error("WriteClosed false after LoseWriteConnection")
				}
			}
			st.Connect(h)
			if st.String() != "ab" || h.writeLost != tc.writeLost {
				t.Errorf("written %q, WriteConnectionLost %d; want \"ab\", %d as the reactor", st.String(), h.writeLost, tc.writeLost)
			}
			before := st.String()
			st.Write([]byte("c"))
			if st.String() != before {
				t.Errorf("a write after ConnectionMade was recorded: %q", st.String())
			}
			if delivered := st.Disconnect(); delivered != (tc.lost != nil) || (delivered && !errors.Is(h.lost[0], tc.lost)) {
				t.Errorf("Disconnect: %v, ConnectionLost %v; want %v", delivered, h.lost, tc.lost)
			}
		})
	}
}

// chunkPuller is a pull producer that writes its chunks, one per
// ResumeProducing, then unregisters, as a file sender does.
type chunkPuller struct {
	t       reactor.Transport
	chunks  []string
	stopped int
}

func (p *chunkPuller) ResumeProducing() {
	if len(p.chunks) == 0 {
		p.t.UnregisterProducer()
		return
	}
	p.t.Write([]byte(p.chunks[0]))
	p.chunks = p.chunks[1:]
}
func (p *chunkPuller) StopProducing() { p.stopped++ }

// A close asked for while a pull producer is registered waits for it to
// unregister, as a Conn's does (and Twisted's loseConnection): the double
// ended the connection at once and stopped the producer, so a protocol
// that registers a producer and then loses the connection passed its test
// here with its data cut short, and a test of the full transfer could not
// be written. LoseWriteConnection waits the same way.
func TestCloseWaitsForPullProducer(t *testing.T) {
	for _, how := range []string{"LoseConnection", "LoseWriteConnection"} {
		t.Run(how, func(t *testing.T) {
			st := NewStringTransport()
			h := &halfCloser{}
			prod := &chunkPuller{chunks: []string{"one ", "two ", "three"}}
			h.onMade = func(tr reactor.Transport) {
				prod.t = tr
				if err := tr.RegisterProducer(prod, false); err != nil {
					t.Error(err)
				}
				if how == "LoseConnection" {
					tr.LoseConnection()
				} else {
					tr.(reactor.TCPTransport).LoseWriteConnection()
				}
			}
			st.Connect(h)
			if st.Disconnect() || h.writeLost != 0 {
				t.Fatalf("ended with the producer registered: Disconnect true or WriteConnectionLost %d", h.writeLost)
			}
			for range 4 { // the reactor asks each time the buffer drains
				if p, _ := st.Producer(); p != nil {
					p.ResumeProducing()
				}
			}
			if st.String() != "one two three" || prod.stopped != 0 {
				t.Errorf("written %q, producer stopped %d times; want all of it, not stopped", st.String(), prod.stopped)
			}
			if how == "LoseWriteConnection" {
				if h.writeLost != 1 {
					t.Errorf("once the producer unregistered: WriteConnectionLost %d times, want 1", h.writeLost)
				}
				return
			}
			if !st.Disconnect() {
				t.Fatal("Disconnect did not end the connection once the producer unregistered")
			}
			if lost, err := st.Lost(); !lost || !errors.Is(err, reactor.ErrConnectionDone) {
				t.Errorf("lost %v, %v", lost, err)
			}
		})
	}
}

// A push producer that is producing does not hold a close: the end stops
// it, as a Conn's does.
func TestCloseNotHeldByStreamingProducer(t *testing.T) {
	st := NewStringTransport()
	st.Connect(&keeper{})
	prod := &pushProducer{}
	if err := st.RegisterProducer(prod, true); err != nil {
		t.Fatal(err)
	}
	st.LoseConnection()
	if !st.Disconnect() || prod.stopped != 1 {
		t.Errorf("a producing push producer held the close, or was not stopped (%d)", prod.stopped)
	}
}
