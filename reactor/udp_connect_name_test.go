package reactor

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// Connect takes an IP address, never a host name, "localhost" included:
// looking a name up would block the loop for as long as DNS takes
// (Twisted's connect refuses names too). The port stays unconnected, and
// can then connect to an address.
func TestUDPConnectRefusesHostNames(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	port := listenUDP(t, r, &udpRecorder{})
	for _, c := range []struct {
		addr string
		name bool // refused as a host name
	}{
		{"localhost:9", true},
		{"poems.example.invalid:9", true},
		{"127.0.0.1:discard", false}, // a service name: a lookup too
		{":9", false},
		{"127.0.0.1", false},
	} {
		err := port.Connect(c.addr)
		var ae *net.AddrError
		if !errors.As(err, &ae) || port.Connected() != nil {
			t.Errorf("Connect(%q): %v, connected to %v; want a *net.AddrError", c.addr, err, port.Connected())
			continue
		}
		if c.name && !strings.Contains(err.Error(), "not a host name") {
			t.Errorf("Connect(%q): %v, want it to say a host name is refused", c.addr, err)
		}
	}
	if err := port.Connect("127.0.0.1:9"); err != nil || port.Connected().String() != "127.0.0.1:9" {
		t.Errorf("Connect to an IP address after the refusals: %v, %v", err, port.Connected())
	}
}
