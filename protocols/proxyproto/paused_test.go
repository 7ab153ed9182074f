package proxyproto

import (
	"io"
	"net"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
	"gyre/task"
)

// holder pauses its transport in ConnectionMade, as a protocol waiting for
// a backend does, and records what it reads and whether it was paused
// then.
type holder struct {
	reactor.BaseProtocol
	paused bool
	got    string
	early  string // read while paused
	answer bool   // once woken, answer the first read and close
}

func (h *holder) ConnectionMade() { h.paused = true; h.Transport.PauseProducing() }
func (h *holder) DataReceived(b []byte) {
	h.got += string(b)
	if h.paused {
		h.early += string(b)
	}
	if h.answer {
		h.Transport.Write([]byte("ok"))
		h.Transport.LoseConnection()
	}
}
func (h *holder) wake() { h.paused = false; h.Transport.ResumeProducing() }

// startHolder runs hdr+"ping" through a headerProtocol over a fake
// transport, with a holder inside.
func startHolder(hdr []byte) (*holder, *headerProtocol, *fakeTransport) {
	var in *holder
	f := NewFactory(task.NewClock(), reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
		in = &holder{}
		return in
	}))
	tr := &fakeTransport{peer: proxyAddr}
	p := f.BuildProtocol(proxyAddr).(*headerProtocol)
	p.MakeConnection(tr)
	p.ConnectionMade()
	p.DataReceived(append(append([]byte(nil), hdr...), "ping"...))
	return in, p, tr
}

// The bytes that follow the header wait for an inner protocol that paused
// in ConnectionMade to resume, as they would without the wrapper (the
// connection would not even read them), proxied or LOCAL; then they come
// before anything read later.
func TestPausedInnerGetsNothingUntilResumed(t *testing.T) {
	for _, hdr := range [][]byte{
		[]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n"),
		headerV2(t, clientAddr, serverAddr),
		headerV2(t, nil, nil), // LOCAL
		[]byte("PROXY UNKNOWN\r\n"),
	} {
		in, p, _ := startHolder(hdr)
		if in == nil || in.got != "" {
			t.Fatalf("%q: paused inner protocol got %q", hdr, in.got)
		}
		in.wake()
		p.DataReceived([]byte("pong"))
		if in.got != "pingpong" || in.early != "" {
			t.Errorf("%q: got %q after resuming (%q while paused)", hdr, in.got, in.early)
		}
	}
}

// An inner protocol closed while paused never gets what was kept.
func TestPausedInnerClosedGetsNothing(t *testing.T) {
	in, _, tr := startHolder([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n"))
	tr.LoseConnection()
	in.wake()
	if in.got != "" {
		t.Errorf("closed inner protocol got %q", in.got)
	}
}

// When something else resumes the connection (an outer policy) while the
// inner protocol is still paused, what was kept comes first, in order.
func TestKeptBytesComeBeforeLaterReads(t *testing.T) {
	in, p, _ := startHolder([]byte("PROXY UNKNOWN\r\n"))
	p.DataReceived([]byte("pong"))
	if in.got != "pingpong" {
		t.Errorf("got %q", in.got)
	}
}

// Over a real socket: without the wrapper a protocol that pauses in
// ConnectionMade reads nothing; behind the header, nothing either, until
// it resumes.
func TestPausedInnerOverSocket(t *testing.T) {
	for _, hdr := range []string{"", "PROXY TCP4 198.51.100.9 127.0.0.1 5555 10000\r\n", "PROXY UNKNOWN\r\n"} {
		r := reactortest.RealReactor(t, reactor.DefaultBackend())
		made := make(chan *holder, 1)
		var f reactor.Factory = reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
			h := &holder{}
			made <- h
			return h
		})
		if hdr != "" {
			f = NewFactory(r, f)
		}
		port, err := r.ListenTCP("127.0.0.1:0", f)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- r.Run() }()
		c, err := net.Dial("tcp", port.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte(hdr + "ping")); err != nil {
			t.Fatal(err)
		}
		h := <-made
		time.Sleep(100 * time.Millisecond) // time to read "ping", if it were read
		got := make(chan string, 1)
		r.CallFromGoroutine(func() {
			got <- h.got
			h.answer = true
			h.wake()
		})
		if early := <-got; early != "" {
			t.Errorf("header %q: paused protocol got %q", hdr, early)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if b, err := io.ReadAll(c); string(b) != "ok" {
			t.Errorf("header %q: client read %q, %v", hdr, b, err)
		}
		c.Close()
		r.CallFromGoroutine(func() { got <- h.got; r.Stop() })
		if all := <-got; all != "ping" {
			t.Errorf("header %q: got %q after resuming", hdr, all)
		}
		<-done
	}
}
