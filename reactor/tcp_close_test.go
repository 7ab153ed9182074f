package reactor

import (
	"bytes"
	"net"
	"testing"
)

// A server that never reads (a one-way protocol) and closes with
// LoseConnection must end the stream cleanly even if the client sent it
// something: closing a socket with unread input sends a reset, which would
// throw away the end of the output the client had not read yet.
func TestLoseConnectionWithUnreadInputEndsCleanly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		payload := pattern(4 << 20)
		p := listen(t, r, FactoryFunc(func(net.Addr) Protocol {
			return &recorder{onMade: func(p *recorder) {
				p.conn().PauseProducing() // never reads
				p.Transport.Write(payload)
				p.Transport.LoseConnection()
			}}
		}))
		var got []byte
		var err error
		go func() {
			defer r.Stop()
			c := goDial(t, p.Addr())
			if c == nil {
				return
			}
			if _, err := c.Write(make([]byte, 16<<10)); err != nil {
				t.Error(err)
			}
			got, err = readAll(c)
		}()
		run(t, r)
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("client read %d of %d bytes (identical: %v), error %v; want all of it and a clean end",
				len(got), len(payload), bytes.Equal(got, payload), err)
		}
	})
}
