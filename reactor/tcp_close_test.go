package reactor

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"
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

// A client that is still sending when the server ends the stream (it
// talks while it reads) must get everything and then a clean end of file,
// never a reset: the close must not find input that arrived after the
// last read. The server answers the client's first bytes with a write
// larger than the socket buffers and LoseConnection, so the close comes
// while the client's writer is still busy. Each transport, several
// connections in turn: without the lingering close, about half of them end
// in a reset (a TCP client may even see a clean end of file after a short
// read: its writer's failed write takes the reset's error).
func TestLoseConnectionWhileThePeerStillSends(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, backend string) {
				r, _ := newReactor(t, backend)
				payload := pattern(1 << 20)
				addr := listenOn(t, r, network, answerer(payload))
				const clients = 8
				errs := make(chan error, clients)
				go func() {
					defer r.Stop()
					for range clients {
						errs <- talkAndRead(addr, payload)
					}
				}()
				run(t, r)
				close(errs)
				for err := range errs {
					if err != nil {
						t.Error(err)
					}
				}
			})
		})
	}
}

// listenOn listens on a TCP port of 127.0.0.1 or a Unix socket in a
// temporary directory, and returns the address to dial.
func listenOn(t *testing.T, r *Reactor, network string, f Factory) net.Addr {
	t.Helper()
	if network == "tcp" {
		return listen(t, r, f).Addr()
	}
	path := filepath.Join(t.TempDir(), "s.sock")
	if _, err := r.ListenUnix(path, f); err != nil {
		t.Fatal(err)
	}
	return &net.UnixAddr{Name: path, Net: "unix"}
}

// talkAndRead connects, sends a stream of its own from another goroutine
// while it reads, and reports whether what it read was want and ended
// cleanly.
func talkAndRead(addr net.Addr, want []byte) error {
	c, err := net.DialTimeout(addr.Network(), addr.String(), testTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	go func() {
		chunk := make([]byte, 16<<10)
		for range 256 { // 4 MiB at most; it stops when the connection does
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	got, err := readAll(c)
	switch {
	case err != nil:
		return fmt.Errorf("read %d of %d bytes, then %v; want a clean end", len(got), len(want), err)
	case !bytes.Equal(got, want):
		return fmt.Errorf("read %d bytes, not the %d written", len(got), len(want))
	}
	return nil
}
