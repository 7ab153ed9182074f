package poetry

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	"gyre/deferred"
	"gyre/internal/testcert"
	"gyre/reactor"
)

// A download cancelled from its chunk observer gets no chunk after the
// cancellation, over TLS too, where one read of the socket holds several
// records: the canceller aborts the TCP connection beneath the TLS layer,
// which went on handing the protocol the records it had decrypted (nine
// more chunks of a 256 KiB poem), each to the observer of a download
// already over.
func TestNoChunkAfterCancelOverTLS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r := newReactor(t, backend)
		cfg := testcert.Loopback(t).ServerConfig()
		port, err := r.ListenTLS("127.0.0.1:0", cfg, NewFastServerFactory(make([]byte, 256<<10)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { port.StopListening() })
		e := reactor.ClientEndpoint{Type: "tls", Host: "127.0.0.1", Port: port.Addr().(*net.TCPAddr).Port,
			TLSConfig: &tls.Config{InsecureSkipVerify: true}}
		var d *deferred.Deferred
		late := 0 // chunks observed once the Deferred had fired
		r.CallWhenRunning(func() {
			d = GetPoetry(r, "tls-server", WithEndpoint(e), WithChunkObserver(func([]byte) {
				if d.Called() {
					late++
					return
				}
				d.Cancel()
			}))
			d.AddBoth(func(any) (any, error) {
				// Long enough for the rest of the poem to arrive, were
				// the connection still open.
				r.CallLater(100*time.Millisecond, func() { r.Stop() })
				return nil, nil
			})
		})
		run(t, r)
		if late > 0 {
			t.Errorf("%d chunks reached the observer after the download was cancelled", late)
		}
	})
}
