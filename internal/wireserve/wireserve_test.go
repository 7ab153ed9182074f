package wireserve

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// lineWriter hands each line written to it to a channel, so that a test
// can wait for the "Serving NAME on ADDRESS." line.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	w <- strings.TrimSpace(string(p))
	return len(p), nil
}

// idleFactory serves connections with a protocol that does nothing.
func idleFactory() reactor.Factory {
	return reactor.FactoryFunc(func(net.Addr) reactor.Protocol { return &reactor.BaseProtocol{} })
}

// start runs cfg until the test ends and returns the address it serves.
func start(t *testing.T, cfg Config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(lineWriter, 1)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, lines) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop within 10 s of its context")
		}
	})
	select {
	case line := <-lines:
		addr, ok := strings.CutPrefix(line, "Serving "+cfg.Name+" on ")
		if !ok {
			t.Fatalf("first line %q, want %q", line, "Serving "+cfg.Name+" on ADDRESS.")
		}
		return strings.TrimSuffix(addr, ".")
	case err := <-done:
		t.Fatalf("Run ended before serving: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no Serving line within 10 s")
	}
	return ""
}

// Several loops share their port through SO_REUSEPORT, which would also
// let a second server of the same user join it and take some of the
// first one's clients. A second server with several loops on a port
// already served is refused, as with one loop and as gyre serve refuses
// it, instead of silently splitting the clients.
func TestLoopsDoNotJoinAPortAlreadyServed(t *testing.T) {
	for _, loops := range []int{1, 2} {
		first := start(t, Config{Name: "first", Iface: "127.0.0.1", Loops: 2, NewFactory: idleFactory})
		_, portText, err := net.SplitHostPort(first)
		if err != nil {
			t.Fatal(err)
		}
		port, err := net.LookupPort("tcp", portText)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = Run(ctx, Config{Name: "second", Iface: "127.0.0.1", Port: port, Loops: loops, NewFactory: idleFactory}, io.Discard)
		cancel()
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("a second server with %d loop(s) on %s: %v, want an error matching EADDRINUSE", loops, first, err)
		}
	}
}

// A port chosen by the system is shared by every loop.
func TestLoopsShareTheSystemsPort(t *testing.T) {
	addr := start(t, Config{Name: "echo", Iface: "127.0.0.1", Loops: 3, NewFactory: idleFactory})
	for range 6 {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
}
