package reactor

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
)

// A Write in the same callback right after LoseConnection goes out before
// the end, over TLS as over TCP: both close at the end of the callback's
// turn, not inside LoseConnection. Over TLS the close_notify was written
// at once and the Write after it dropped, so code that worked over TCP
// lost the end of its answer over TLS.
func TestWriteAfterLoseConnectionInTheSameTurn(t *testing.T) {
	for _, overTLS := range []bool{false, true} {
		r, _ := newReactor(t, DefaultBackend())
		srv := &servers{build: func() *recorder {
			return &recorder{onData: func(p *recorder, _ []byte) {
				p.Transport.Write([]byte("first, "))
				p.Transport.LoseConnection()
				p.Transport.Write([]byte("then the end"))
			}}
		}}
		var addr net.Addr
		if overTLS {
			addr = listenTLS(t, r, srv).Addr()
		} else {
			addr = listen(t, r, srv).Addr()
		}
		got := make(chan string, 1)
		go func() {
			defer r.CallFromGoroutine(func() { r.Stop() })
			c := goDial(t, addr)
			if c == nil {
				got <- ""
				return
			}
			var rw io.ReadWriter = c
			if overTLS {
				rw = tls.Client(c, testCerts(t).clientConfig())
			}
			if _, err := rw.Write([]byte("hello")); err != nil {
				t.Error(err)
			}
			b, err := io.ReadAll(rw)
			if err != nil {
				t.Errorf("TLS %v: %v after %q", overTLS, err, b)
			}
			got <- string(b)
		}()
		run(t, r)
		if s, want := <-got, "first, then the end"; s != want {
			t.Errorf("TLS %v: client read %q, want %q", overTLS, s, want)
		}
	}
}
