package reactor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A protocol callback that panics costs its own connection only: while one
// client's DataReceived panics, a server on the same reactor keeps serving
// the connection that was already open and accepts and serves a new one.
// The panic is logged with its stack and reaches the protocol's
// ConnectionLost as the reason.
func TestDataReceivedPanicKeepsServing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, logs := newReactor(t, backend)
		srv := &servers{build: func() *recorder {
			return &recorder{onData: func(p *recorder, b []byte) {
				if bytes.Contains(b, []byte("boom")) {
					panic(fmt.Sprintf("echo server fell over on %q", b))
				}
				p.Transport.Write(b) // an echo server
			}}
		}}
		port := listen(t, r, srv)
		addr := port.Addr()

		// The clients run on another goroutine: the reactor must go on
		// serving them while one of its callbacks panics.
		errc := make(chan error, 1)
		go func() {
			defer r.Stop()
			errc <- func() error {
				echo := func(c net.Conn, msg string) error {
					if _, err := c.Write([]byte(msg)); err != nil {
						return err
					}
					got := make([]byte, len(msg))
					if _, err := io.ReadFull(c, got); err != nil {
						return fmt.Errorf("echo of %q: %w", msg, err)
					}
					if string(got) != msg {
						return fmt.Errorf("echo of %q came back as %q", msg, got)
					}
					return nil
				}
				before := goDial(t, addr)
				if before == nil {
					return errors.New("no first connection")
				}
				if err := echo(before, "before the panic"); err != nil {
					return err
				}
				victim := goDial(t, addr)
				if victim == nil {
					return errors.New("no victim connection")
				}
				if _, err := victim.Write([]byte("boom")); err != nil {
					return err
				}
				// The server drops the connection that panicked (end of file
				// or a reset), without echoing anything.
				if rest, _ := readAll(victim); len(rest) != 0 {
					return fmt.Errorf("the panicking connection still echoed %q", rest)
				}
				if err := echo(before, "after the panic"); err != nil {
					return fmt.Errorf("open connection: %w", err)
				}
				after := goDial(t, addr)
				if after == nil {
					return errors.New("no connection after the panic")
				}
				return echo(after, "a new client")
			}()
		}()
		run(t, r)
		if err := <-errc; err != nil {
			t.Fatalf("%v\nlogs:\n%s", err, logs)
		}
		if len(srv.all) != 3 {
			t.Fatalf("%d server protocols, want 3", len(srv.all))
		}
		victim := srv.all[1]
		if err := victim.lostOnce(t); err == nil || !strings.Contains(err.Error(), "echo server fell over") {
			t.Errorf("the panicking protocol lost its connection with %v", err)
		}
		out := logs.String()
		if !strings.Contains(out, "Unhandled Error") || !strings.Contains(out, "echo server fell over") ||
			!strings.Contains(out, "TestDataReceivedPanicKeepsServing") {
			t.Errorf("the panic is not logged with its stack:\n%s", out)
		}
		if n := strings.Count(out, "Unhandled Error"); n != 1 {
			t.Errorf("%d errors logged, want 1:\n%s", n, out)
		}
	})
}

// A protocol that panics after writing part of an answer, in
// ConnectionMade or in DataReceived, has its connection reset: the peer
// must not take what it got for a whole answer. Both ended with a clean
// end of stream (and with batched I/O the part written in ConnectionMade
// was dropped, so the peer read nothing and a clean end).
func TestPanicAfterWriteResets(t *testing.T) {
	cases := map[string]func(p *recorder){
		"ConnectionMade": func(p *recorder) {
			p.onMade = func(p *recorder) {
				p.Transport.Write([]byte("partial answer"))
				panic("ConnectionMade fell over")
			}
		},
		"DataReceived": func(p *recorder) {
			p.onData = func(p *recorder, _ []byte) {
				p.Transport.Write([]byte("partial answer"))
				panic("DataReceived fell over")
			}
		},
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, backend string) {
				r, _ := newReactor(t, backend)
				port := listen(t, r, &servers{build: func() *recorder { p := &recorder{}; set(p); return p }})
				errc := make(chan error, 1)
				go func() {
					defer r.CallFromGoroutine(func() { r.Stop() })
					c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout)
					if err != nil { // the reset may come before connect returns
						errc <- err
						return
					}
					defer c.Close()
					if name == "DataReceived" {
						// Only then: unread input alone makes the kernel
						// reset a plain close.
						c.Write([]byte("question"))
					}
					_, err = readAll(c)
					errc <- err
				}()
				run(t, r)
				if err := <-errc; !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("the peer's read ended with %v, want a reset", err)
				}
			})
		})
	}
}

// A connection still open when the reactor stops is reset: its protocol
// had not ended it, so what the peer got is not the whole answer (a
// poem's server stopped mid-poem). It was closed cleanly, and the peer
// took the part for the whole.
func TestStopResetsOpenConnections(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		port := listen(t, r, &servers{build: func() *recorder {
			return &recorder{onMade: func(p *recorder) {
				p.Transport.Write([]byte("the first half"))
				r.CallLater(50*time.Millisecond, func() { r.Stop() })
			}}
		}})
		errc := make(chan error, 1)
		go func() {
			c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout)
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			b, err := readAll(c)
			if string(b) != "the first half" {
				t.Errorf("read %q", b)
			}
			errc <- err
		}()
		run(t, r)
		if err := <-errc; !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("the peer's read ended with %v, want a reset", err)
		}
	})
}

// openFds counts this process's open descriptors.
func openFds(t *testing.T) int {
	t.Helper()
	e, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(e)
}

// A client that dials again when its connection is lost, as the reactor
// stops, leaves no socket open behind the reactor: the new connection is
// dropped too. It stayed open (a descriptor leaked per run).
func TestStopDropsWhatConnectionLostOpens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		before := openFds(t)
		r, _ := newReactor(t, backend)
		port := listen(t, r, &servers{})
		cf := &clientFactory{}
		cf.build = func() *recorder { return &recorder{onMade: func(*recorder) { r.Stop() }} }
		redials := 0
		cf.onLostC = func(c *Connector, _ error) { redials++; c.Connect() }
		cf.onFail = func(c *Connector, _ error) { redials++; c.Connect() } // dials for ever
		r.ConnectTCP(port.Addr().String(), cf, testTimeout)
		run(t, r)
		port.StopListening()
		r.Close()
		// Fewer after is not a leak: a descriptor of an earlier test's
		// goroutine may close meanwhile.
		if after := openFds(t); after > before || redials == 0 {
			t.Errorf("%d descriptors open before the reactor, %d after (%d dials again)", before, after, redials)
		}
	})
}
