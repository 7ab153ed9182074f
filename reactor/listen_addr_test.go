package reactor

import "testing"

// An IPv6 address whose interface cannot be told is refused with what is
// wrong with it, by TCP and UDP alike. Both were "[Errno 22] Invalid
// argument", from bind.
func TestListenAddrScope(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	for _, c := range []struct{ addr, want string }{
		{"[fe80::1%no-such-interface]:0", "Couldn't listen on fe80::1%no-such-interface:0: address fe80::1%no-such-interface: no interface for the IPv6 zone."},
		{"[fe80::1]:0", "Couldn't listen on fe80::1:0: address fe80::1: a link-local address needs its interface as a zone (fe80::1%eth0)."},
	} {
		if _, err := r.ListenTCP(c.addr, greeter("x")); err == nil || err.Error() != c.want {
			t.Errorf("ListenTCP(%s): %v\nwant %s", c.addr, err, c.want)
		}
		if _, err := r.ListenUDP(c.addr, &udpRecorder{}); err == nil || err.Error() != c.want {
			t.Errorf("ListenUDP(%s): %v\nwant %s", c.addr, err, c.want)
		}
	}
}
