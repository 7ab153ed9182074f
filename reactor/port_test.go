package reactor

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StopListening closes the socket at once (new connects are refused) and
// leaves the connections already accepted alone.
func TestStopListening(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		var port *Port
		srv := &servers{}
		srv.build = func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				d := port.StopListening()
				if !d.Called() || port.Fd() != -1 {
					t.Error("port still open after StopListening")
				}
				// A new attempt is refused, and this connection still works.
				cf := &clientFactory{onFail: func(*Connector, error) {
					p.Transport.Write([]byte("still here"))
					p.Transport.LoseConnection()
				}}
				r.ConnectTCP(port.Addr().String(), cf, time.Second)
			}, onLost: func(*recorder, error) { r.Stop() }}
		}
		port = listen(t, r, srv)
		got := goReadAll(t, r, port.Addr())
		run(t, r)
		if g := <-got; g != "still here" {
			t.Errorf("client got %q", g)
		}
		if !port.StopListening().Called() {
			t.Error("second StopListening")
		}
	})
}

// Listening on a port in use fails with Twisted's CannotListenError text,
// wrapping EADDRINUSE; with SO_REUSEPORT on both, two reactors share it.
func TestListenErrorsAndReusePort(t *testing.T) {
	r1, _ := newReactor(t, DefaultBackend())
	r2, _ := newReactor(t, DefaultBackend())
	p1 := listen(t, r1, &servers{})
	_, err := r2.ListenTCP(p1.Addr().String(), &servers{})
	var le *ListenError
	if !errors.As(err, &le) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("second listen: %v", err)
	}
	want := fmt.Sprintf("Couldn't listen on 127.0.0.1:%d: [Errno %d] Address already in use.", p1.Addr().(*net.TCPAddr).Port, int(syscall.EADDRINUSE))
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	// A port that does not parse is named as given: it was "127.0.0.1:0".
	for _, addr := range []string{"127.0.0.1:http-ish", "127.0.0.1:70000", "127.0.0.1"} {
		_, err := r2.ListenTCP(addr, &servers{})
		if err == nil || !strings.HasPrefix(err.Error(), "Couldn't listen on "+addr+": ") {
			t.Errorf("ListenTCP(%q): %v", addr, err)
		}
	}
	// So is one refused before it is parsed (it was "127.0.0.1:0:0").
	if _, err := r2.ListenTCP("127.0.0.1:0", nil); err == nil || err.Error() != "Couldn't listen on 127.0.0.1:0: nil factory." {
		t.Errorf("ListenTCP with no factory: %v", err)
	}
	if _, err := r2.ListenUDP("127.0.0.1:0", nil); err == nil || err.Error() != "Couldn't listen on 127.0.0.1:0: nil protocol." {
		t.Errorf("ListenUDP with no protocol: %v", err)
	}

	// Two reactors on two goroutines sharing one port.
	served := [2]int{}
	var ports [2]*Port
	rs := [2]*Reactor{}
	for i := range rs {
		rs[i], _ = newReactor(t, DefaultBackend())
		addr := "127.0.0.1:0"
		if i == 1 {
			addr = ports[0].Addr().String()
		}
		ports[i], err = rs[i].ListenTCP(addr, FactoryFunc(func(net.Addr) Protocol {
			return &recorder{onMade: func(p *recorder) {
				served[i]++
				p.Transport.LoseConnection()
			}}
		}), WithReusePort())
		if err != nil {
			t.Fatalf("listener %d: %v", i, err)
		}
	}
	done := make(chan struct{})
	for i := range rs {
		go func() {
			rs[i].Run()
			done <- struct{}{}
		}()
	}
	const n = 64
	for range n {
		c := dial(t, ports[0].Addr())
		readAll(c)
		c.Close()
	}
	for i := range rs {
		rs[i].Stop()
		<-done
	}
	if served[0]+served[1] != n {
		t.Errorf("served %v of %d", served, n)
	}
	t.Logf("SO_REUSEPORT split %d connections as %v", n, served)
}

// Closing a reactor that never ran closes its ports too.
func TestCloseClosesPorts(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.ListenTCP("127.0.0.1:0", &servers{})
	if err != nil {
		t.Fatal(err)
	}
	addr := p.Addr().String()
	r.Close()
	if p.Fd() != -1 {
		t.Error("port still open after Close")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("port still accepts connections after Close")
	}
}
