package reactor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"syscall"
	"testing"
)

// Connections lists every open connection, whatever it is watched for:
// one reading, one paused with nothing to write (held, watched for
// nothing), one with output waiting for a client that does not read
// (watched for writing only); the port is not a connection.
func TestConnectionsListsEveryOpenConnection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		big := bytes.Repeat([]byte("x"), 8<<20)
		var made []*Conn
		var listed []*Conn
		srv := &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				c := p.conn()
				switch len(made) {
				case 1:
					c.PauseProducing()
				case 2:
					c.Write(big)
				}
				made = append(made, c)
				if len(made) == 3 {
					// After the ConnectionMade: a connection is listed
					// once it is set up.
					r.CallLater(0, func() {
						listed = r.Connections()
						for _, c := range listed {
							c.AbortConnection()
						}
						r.Stop()
					})
				}
			}}
		}}
		port := listen(t, r, srv)
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				c, err := net.Dial("tcp", port.Addr().String())
				if err != nil {
					errs <- err
					return
				}
				defer c.Close()
				_, err = io.Copy(io.Discard, c)
				errs <- err
			}()
		}
		run(t, r)
		if len(listed) != 3 {
			t.Fatalf("Connections listed %d connections, want 3", len(listed))
		}
		for _, c := range made {
			if !slices.Contains(listed, c) {
				t.Errorf("connection on fd %d not listed", c.Fd())
			}
		}
		for range 3 {
			if err := <-errs; !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("client: %v, want a reset (every connection aborted)", err)
			}
		}
		if got := r.Connections(); len(got) != 0 {
			t.Errorf("after the stop: %d connections listed", len(got))
		}
	})
}
