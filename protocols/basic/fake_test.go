package basic

import (
	"net"

	"gyre/reactor"
)

// fakeTransport is a reactor.Transport that records what a framer does to
// it, for unit tests without sockets.
type fakeTransport struct {
	out            []byte
	lost, aborted  bool
	paused         bool
	pauses, resume int
}

func (t *fakeTransport) Write(b []byte) { t.out = append(t.out, b...) }
func (t *fakeTransport) WriteSequence(bs [][]byte) {
	for _, b := range bs {
		t.out = append(t.out, b...)
	}
}
func (t *fakeTransport) LoseConnection()     { t.lost = true }
func (t *fakeTransport) AbortConnection()    { t.aborted = true }
func (t *fakeTransport) Disconnecting() bool { return t.lost || t.aborted }
func (t *fakeTransport) Peer() net.Addr      { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (t *fakeTransport) Host() net.Addr      { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2} }
func (t *fakeTransport) RegisterProducer(reactor.Producer, bool) error {
	return nil
}
func (t *fakeTransport) UnregisterProducer() {}
func (t *fakeTransport) PauseProducing()     { t.paused = true; t.pauses++ }
func (t *fakeTransport) ResumeProducing()    { t.paused = false; t.resume++ }
func (t *fakeTransport) StopProducing()      { t.lost = true }

var _ reactor.Transport = (*fakeTransport)(nil)

// lineRecorder is a LineReceiver that keeps copies of its lines and raw
// data, and runs a hook on each line.
type lineRecorder struct {
	LineReceiver
	lines  []string
	raw    []string
	onLine func(r *lineRecorder, line []byte)
	onRaw  func(r *lineRecorder, data []byte)
}

func newLineRecorder() (*lineRecorder, *fakeTransport) {
	r := &lineRecorder{}
	r.Handler = r
	t := &fakeTransport{}
	r.MakeConnection(t)
	return r, t
}

func (r *lineRecorder) LineReceived(line []byte) {
	r.lines = append(r.lines, string(line))
	if r.onLine != nil {
		r.onLine(r, line)
	}
}

func (r *lineRecorder) RawDataReceived(data []byte) {
	r.raw = append(r.raw, string(data))
	if r.onRaw != nil {
		r.onRaw(r, data)
	}
}

// stringRecorder keeps copies of the strings a string framer delivers.
type stringRecorder struct{ got []string }

func (s *stringRecorder) StringReceived(b []byte) { s.got = append(s.got, string(b)) }

// lineOnlyRecorder is a LineOnlyReceiver keeping its lines.
type lineOnlyRecorder struct {
	LineOnlyReceiver
	lines []string
}

func (r *lineOnlyRecorder) LineReceived(line []byte) { r.lines = append(r.lines, string(line)) }
