package reactor

import (
	"net"
	"strings"
	"testing"
)

// A datagram larger than the read buffer is dropped, counted and logged
// once, never delivered cut short; the datagrams that fit go on arriving.
// A 1500-byte datagram with a 1024-byte buffer reached DatagramReceived
// as 1024 bytes, as if whole.
func TestUDPTruncatedDatagramDropped(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, logs := newReactor(t, backend, WithReadBufferSize(1024))
		p := &udpRecorder{onData: func(_ *udpRecorder, data []byte, _ *net.UDPAddr) {
			if string(data) == "last" {
				r.Stop()
			}
		}}
		port := listenUDP(t, r, p)
		c, err := net.DialUDP("udp", nil, port.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fits := strings.Repeat("f", 1024)
		for _, m := range []string{strings.Repeat("x", 1500), fits, strings.Repeat("y", 1025), "last"} {
			if _, err := c.Write([]byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		r.CallLater(testTimeout, func() { r.Stop() })
		run(t, r)
		if len(p.got) != 2 || p.got[0] != fits || p.got[1] != "last" {
			lens := make([]int, len(p.got))
			for i, g := range p.got {
				lens[i] = len(g)
			}
			t.Errorf("delivered datagrams of %v bytes, want the 1024-byte one and \"last\"", lens)
		}
		if n := port.TruncatedDatagrams(); n != 2 {
			t.Errorf("TruncatedDatagrams = %d, want 2", n)
		}
		if n := strings.Count(logs.String(), "larger than the read buffer"); n != 1 {
			t.Errorf("the drop logged %d times, want once:\n%s", n, logs)
		}
	})
}
