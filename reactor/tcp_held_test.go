package reactor

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// A greeting written in ConnectionMade reaches a client that waits for it
// while the connection stays open: what the write held back for a close
// that never came is released when ConnectionMade returns (without the
// release the kernel would keep the segment back, and the client's read
// would time out).
func TestWriteInConnectionMadeIsSentWhenOpen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		r, _ := newReactor(t, backend)
		greeting := []byte("hello, who is there?\r\n")
		notSent := -2
		srv := &servers{build: func() *recorder {
			return &recorder{
				onMade: func(p *recorder) {
					p.Transport.Write(greeting)
					// Once ConnectionMade has returned, nothing may wait in
					// the socket (the kernel would send a held segment only
					// after its cork timer, some 200 ms later).
					r.CallLater(0, func() { notSent = notSentBytes(p.conn().fd) })
				},
				onData: func(p *recorder, b []byte) {
					p.Transport.Write(bytes.ToUpper(b))
					p.Transport.LoseConnection()
				},
				onLost: func(*recorder, error) { r.Stop() },
			}
		}}
		port := listen(t, r, srv)
		res := make(chan string, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				res <- ""
				r.Stop()
				return
			}
			// The server waits for this line, so the greeting must come
			// on its own; a short deadline shows it was not held back.
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			got := make([]byte, len(greeting))
			if _, err := io.ReadFull(c, got); err != nil {
				t.Errorf("greeting: %v", err)
				res <- ""
				c.Close()
				return
			}
			c.SetReadDeadline(time.Now().Add(testTimeout))
			c.Write([]byte("me"))
			rest, err := io.ReadAll(c)
			if err != nil {
				t.Errorf("answer: %v", err)
			}
			res <- string(got) + string(rest)
		}()
		run(t, r)
		if got := <-res; got != string(greeting)+"ME" {
			t.Errorf("client read %q", got)
		}
		if notSent > 0 {
			t.Errorf("%d bytes of the greeting held in the socket after ConnectionMade", notSent)
		}
	})
}

// Write then LoseConnection in ConnectionMade (the fast poetry server)
// delivers everything, then end of file, whatever the size: partial
// segments held back and data the socket refused alike.
func TestWriteAndCloseInConnectionMade(t *testing.T) {
	for _, size := range []int{1, 3003, 70_000, 3 << 20} {
		r, _ := newReactor(t, DefaultBackend())
		poem := pattern(size)
		srv := &servers{build: func() *recorder {
			return &recorder{
				onMade: func(p *recorder) {
					p.Transport.Write(poem)
					p.Transport.LoseConnection()
				},
				onLost: func(*recorder, error) { r.Stop() },
			}
		}}
		port := listen(t, r, srv)
		res := make(chan []byte, 1)
		go func() {
			c := goDial(t, port.Addr())
			if c == nil {
				res <- nil
				r.Stop()
				return
			}
			b, err := readAll(c)
			if err != nil {
				t.Errorf("%d bytes: %v", size, err)
			}
			res <- b
		}()
		run(t, r)
		if got := <-res; !bytes.Equal(got, poem) {
			t.Errorf("size %d: client got %d bytes", size, len(got))
		}
		if err := srv.all[0].lostOnce(t); err != ErrConnectionDone {
			t.Errorf("size %d: lost %v", size, err)
		}
	}
}

// segmentsIn is how many TCP segments c has received, and notSentBytes
// how much of what was written to fd the kernel has not sent yet
// (TCP_INFO); -1 where the system does not say.
var (
	segmentsIn   = func(*net.TCPConn) int { return -1 }
	notSentBytes = func(int32) int { return -1 }
)

// checkTransferTuning checks the socket options a file transfer sets on
// its connection, where there are some (Linux).
var checkTransferTuning = func(*testing.T, *Conn) {}
