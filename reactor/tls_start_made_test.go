package reactor

import (
	"errors"
	"testing"
	"time"
)

// StartTLS called from ConnectionMade, as Twisted allows: the connection
// is TLS from its first byte, on both sides, and what the protocol writes
// there through the new transport goes out encrypted.
func TestStartTLSInConnectionMade(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				tc, err := p.Transport.(*Conn).StartTLS(testCerts(t).serverConfig())
				if err != nil {
					t.Error(err)
					return
				}
				tc.Write([]byte("hello over tls\n"))
				tc.LoseConnection()
			}}
		}}
		port := listen(t, r, srv)
		cf := &clientFactory{}
		cf.build = func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				if _, err := p.Transport.(*Conn).StartTLS(testCerts(t).clientConfig()); err != nil {
					t.Error(err)
				}
			}, onLost: func(*recorder, error) { r.CallLater(0, func() { r.Stop() }) }}
		}
		r.ConnectTCP(port.Addr().String(), cf, 5*time.Second)
		run(t, r)
		if len(cf.protos) != 1 {
			t.Fatal(cf.failed)
		}
		c := cf.protos[0]
		if string(c.data) != "hello over tls\n" || !errors.Is(c.lostOnce(t), ErrConnectionDone) {
			t.Fatalf("client read %q, lost %v", c.data, c.lost)
		}
		if _, ok := c.Transport.(*TLSConn); !ok {
			t.Fatalf("client transport %T", c.Transport)
		}
	})
}
