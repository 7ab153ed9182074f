package portforward

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"gyre/reactor"
	"gyre/reactor/reactortest"
)

// The target is connected on the loop that accepted the client, whatever
// Factory.Reactor says: with none, every client was reset (a nil pointer
// in ConnectionMade, logged twice); with another reactor (one Factory
// shared by the ports of several loops), the attempt ran on a loop that
// was not the client's, here one not running, and the client waited for
// ever.
func TestRelayRunsOnTheAcceptingLoop(t *testing.T) {
	other, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, tc := range []struct {
		name string
		r    *reactor.Reactor
	}{{"no Reactor", nil}, {"another loop's Reactor", other}} {
		t.Run(tc.name, func(t *testing.T) {
			target := goServer(t, func(c *net.TCPConn) {
				req, _ := io.ReadAll(c)
				fmt.Fprintf(c, "got %q", req)
			})
			r, err := reactor.New()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			ended := make(chan error, 1)
			f := &Factory{Reactor: tc.r, Target: target, Ended: func(_, _ *Side, err error) { ended <- err }}
			port, err := r.ListenTCP("127.0.0.1:0", f)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- r.Run() }()
			defer func() {
				r.CallFromGoroutine(func() { r.Stop() })
				<-done
			}()
			c := dial(t, port.Addr().String(), 0)
			c.SetDeadline(time.Now().Add(5 * time.Second))
			c.Write([]byte("hello"))
			c.CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil || string(got) != `got "hello"` {
				t.Fatalf("client got %q, %v", got, err)
			}
			c.Close()
			if err := <-ended; err != nil {
				t.Errorf("ended with %v", err)
			}
		})
	}
}

// A relay whose ConnectionMade could not start the attempt (no reactor to
// be found) says what to set, and its end is still reported once, with
// the panic as the reason: it was a nil pointer, then another one in
// ConnectionLost, and Ended was never called.
func TestRelayWithoutReactorSaysSo(t *testing.T) {
	var calls []error
	f := &Factory{Target: "127.0.0.1:1", Ended: func(s, tg *Side, err error) { calls = append(calls, err) }}
	p := f.BuildProtocol(nil)
	tr := reactortest.NewStringTransport()
	func() {
		defer func() {
			if v := recover(); !strings.Contains(fmt.Sprint(v), "set Factory.Reactor") {
				t.Errorf("ConnectionMade panicked with %v", v)
			}
		}()
		tr.Connect(p)
	}()
	why := errors.New("the reactor aborted the connection")
	p.ConnectionLost(why) // what the reactor does after such a panic
	if len(calls) != 1 || !errors.Is(calls[0], why) {
		t.Errorf("Ended called with %v, want once with %v", calls, why)
	}
}
