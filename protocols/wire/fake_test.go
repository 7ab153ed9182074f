package wire

import (
	"net"

	"gyre/reactor"
)

// fakeTransport records what a protocol does to its transport. backlog,
// when set, is what Buffered reports (output the socket did not take).
type fakeTransport struct {
	out        []byte
	writes     int
	backlog    int
	producer   reactor.Producer
	streaming  bool
	lost       bool
	registered int
}

func (t *fakeTransport) Write(b []byte) { t.out = append(t.out, b...); t.writes++ }
func (t *fakeTransport) WriteSequence(bs [][]byte) {
	for _, b := range bs {
		t.out = append(t.out, b...)
	}
	t.writes++
}
func (t *fakeTransport) LoseConnection()     { t.lost = true }
func (t *fakeTransport) AbortConnection()    { t.lost = true }
func (t *fakeTransport) Disconnecting() bool { return t.lost }
func (t *fakeTransport) Peer() net.Addr      { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (t *fakeTransport) Host() net.Addr      { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2} }
func (t *fakeTransport) RegisterProducer(p reactor.Producer, streaming bool) error {
	t.producer, t.streaming = p, streaming
	t.registered++
	return nil
}
func (t *fakeTransport) UnregisterProducer() { t.producer = nil }
func (t *fakeTransport) PauseProducing()     {}
func (t *fakeTransport) ResumeProducing()    {}
func (t *fakeTransport) StopProducing()      { t.lost = true }
func (t *fakeTransport) Buffered() int       { return t.backlog }

var _ reactor.Transport = (*fakeTransport)(nil)

// connect builds a protocol from f on a fake transport, as the reactor
// would.
func connect(f reactor.Factory) (reactor.Protocol, *fakeTransport) {
	p := f.BuildProtocol(nil)
	t := &fakeTransport{}
	p.MakeConnection(t)
	p.ConnectionMade()
	return p, t
}
