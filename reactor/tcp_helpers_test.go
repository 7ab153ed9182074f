package reactor

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// recorder is a protocol for tests: it records what happens to it and
// runs the hooks it is given.
type recorder struct {
	BaseProtocol
	made   int
	data   []byte
	lost   []error
	onMade func(p *recorder)
	onData func(p *recorder, b []byte)
	onLost func(p *recorder, reason error)
}

func (p *recorder) ConnectionMade() {
	p.made++
	if p.onMade != nil {
		p.onMade(p)
	}
}

func (p *recorder) DataReceived(b []byte) {
	p.data = append(p.data, b...)
	if p.onData != nil {
		p.onData(p, b)
	}
}

func (p *recorder) ConnectionLost(reason error) {
	p.lost = append(p.lost, reason)
	if p.onLost != nil {
		p.onLost(p, reason)
	}
}

func (p *recorder) conn() *Conn { return p.Transport.(*Conn) }

// lostOnce checks that ConnectionLost was called exactly once and returns
// its reason.
func (p *recorder) lostOnce(t *testing.T) error {
	t.Helper()
	if len(p.lost) != 1 {
		t.Fatalf("ConnectionLost called %d times: %v", len(p.lost), p.lost)
	}
	return p.lost[0]
}

// servers is a factory that builds recorders with build and keeps them.
type servers struct {
	build func() *recorder
	all   []*recorder
}

func (s *servers) BuildProtocol(net.Addr) Protocol {
	p := &recorder{}
	if s.build != nil {
		p = s.build()
	}
	s.all = append(s.all, p)
	return p
}

// clientFactory records a client connection's events.
type clientFactory struct {
	BaseClientFactory
	build   func() *recorder
	protos  []*recorder
	started int
	failed  []error
	lostC   []error
	onFail  func(c *Connector, reason error)
	onLostC func(c *Connector, reason error)
}

func (f *clientFactory) BuildProtocol(net.Addr) Protocol {
	p := &recorder{}
	if f.build != nil {
		p = f.build()
	}
	f.protos = append(f.protos, p)
	return p
}

func (f *clientFactory) StartedConnecting(*Connector) { f.started++ }

func (f *clientFactory) ClientConnectionFailed(c *Connector, reason error) {
	f.failed = append(f.failed, reason)
	if f.onFail != nil {
		f.onFail(c, reason)
	}
}

func (f *clientFactory) ClientConnectionLost(c *Connector, reason error) {
	f.lostC = append(f.lostC, reason)
	if f.onLostC != nil {
		f.onLostC(c, reason)
	}
}

// listen starts a port on 127.0.0.1 with a system-chosen port.
func listen(t testing.TB, r *Reactor, f Factory, opts ...ListenOption) *Port {
	t.Helper()
	p, err := r.ListenTCP("127.0.0.1:0", f, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.StopListening() })
	return p
}

// dial connects a net.Conn client (to be used on another goroutine).
func dial(t testing.TB, addr net.Addr) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr.String(), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(testTimeout))
	return c.(*net.TCPConn)
}

// goDial is dial for other goroutines (which must not call t.Fatal): it
// reports a failure with t.Error and returns nil. A reset is no failure:
// a server that resets at once (a refusal, a protocol that panicked, a
// stop) may do so before connect has returned here; nil says so.
func goDial(t testing.TB, addr net.Addr) *net.TCPConn {
	c, err := net.DialTimeout("tcp", addr.String(), testTimeout)
	if errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	if err != nil {
		t.Error(err)
		return nil
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(testTimeout))
	return c.(*net.TCPConn)
}

// goDialSmall is goDial with a small receive buffer set before connecting,
// so that the peer's writes back up into its own buffer quickly.
func goDialSmall(t testing.TB, addr net.Addr) *net.TCPConn {
	d := net.Dialer{Timeout: testTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
		})
	}}
	c, err := d.Dial("tcp", addr.String())
	if err != nil {
		t.Error(err)
		return nil
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(testTimeout))
	return c.(*net.TCPConn)
}

// readAll reads until end of file or error, returning what came and the
// error (nil at a clean end of file).
func readAll(c net.Conn) ([]byte, error) {
	b, err := io.ReadAll(c)
	return b, err
}

// socketPair returns a connected pair of non-blocking stream sockets.
func socketPair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// pattern returns n bytes of a pattern that shows misordering.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// goReadAll dials addr from a goroutine and sends what it reads up to the
// end of stream (or an error); a failed dial sends "" and stops r.
func goReadAll(t testing.TB, r *Reactor, addr net.Addr) <-chan string {
	got := make(chan string, 1)
	go func() {
		c := goDial(t, addr)
		if c == nil {
			got <- ""
			r.Stop()
			return
		}
		b, _ := readAll(c)
		got <- string(b)
	}()
	return got
}
