package reactor

import (
	"net"
	"testing"
)

// Write given a nil *net.UDPAddr takes it as no address, and one with no
// IP says so, on IPv4 and IPv6 ports alike. On an IPv6 port the nil one
// was a nil-pointer panic; on an IPv4 port both were "address invalid
// AddrPort: IPv6 address on an IPv4 socket".
func TestUDPWriteAddressWithoutIP(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	for _, at := range []string{"127.0.0.1:0", "[::1]:0"} {
		port, err := r.ListenUDP(at, &udpRecorder{})
		if err != nil {
			t.Logf("no socket on %s here: %v", at, err)
			continue
		}
		var none *net.UDPAddr
		if err := port.Write([]byte("x"), none); err != ErrNotConnected {
			t.Errorf("%s: Write to a nil *net.UDPAddr: %v, want ErrNotConnected", at, err)
		}
		want := "address :0: no IP address to send to"
		if err := port.Write([]byte("x"), &net.UDPAddr{}); err == nil || err.Error() != want {
			t.Errorf("%s: Write to an empty address: %v, want %s", at, err, want)
		}
		port.StopListening()
	}
}
