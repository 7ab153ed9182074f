package reactor

import (
	"crypto/tls"
	"io"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tlsStall is what a server saw right after writing to a peer that does
// not read yet.
type tlsStall struct {
	records  int // encrypted bytes in the TCP connection's buffer
	buffered int // TLSConn.Buffered
	lost     int // TLSConn.Buffered during ConnectionLost
	reason   error
}

// stallServer serves a TLS client that reads late: once the handshake is
// over (the client has spoken), write is called on a connection whose
// socket takes little (a 4 KiB send buffer), then the connection is
// closed by end (LoseConnection or AbortConnection).
func stallServer(t *testing.T, r *Reactor, write func(*TLSConn), end func(*TLSConn), st *tlsStall) *Port {
	srv := &servers{build: func() *recorder {
		var tc *TLSConn
		return &recorder{onData: func(p *recorder, _ []byte) {
			if tc != nil {
				return
			}
			tc = p.Transport.(*TLSConn)
			unix.SetsockoptInt(tc.Conn().Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
			write(tc)
			st.records, st.buffered = tc.Conn().Buffered(), tc.Buffered()
			end(tc)
		}, onLost: func(p *recorder, reason error) {
			if tc != nil {
				st.lost, st.reason = tc.Buffered(), reason
			}
		}}
	}}
	return listenTLS(t, r, srv)
}

// lateReader says "go" over TLS, waits for the server to fill its
// buffers, then reads to the end.
func lateReader(t *testing.T, r *Reactor, port *Port) <-chan readResult {
	got := make(chan readResult, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		raw := goDialSmall(t, port.Addr())
		if raw == nil {
			got <- readResult{}
			return
		}
		c := tls.Client(raw, testCerts(t).clientConfig())
		if _, err := c.Write([]byte("go")); err != nil {
			got <- readResult{err: err}
			return
		}
		time.Sleep(100 * time.Millisecond)
		b, err := io.ReadAll(c)
		got <- readResult{b, err}
	}()
	return got
}

type readResult struct {
	b   []byte
	err error
}

// maxRecordsAhead is what a TLS connection may hold encrypted for a peer
// that does not read: the high water mark, and one chunk's records beyond
// it.
const maxRecordsAhead = DefaultHighWater + tlsOutSize

// After the handshake, what WriteShared is given stays plaintext, by
// reference, and is encrypted only as the socket takes the records: a
// peer that does not read costs the server about 64 KiB of records plus
// a chunk, not an encrypted copy of all of it. Buffered counts the rest;
// a Write after it goes behind it, and LoseConnection sends all of it
// before the close_notify. The whole 1 MiB poem was encrypted at once
// into the TCP connection's buffer: 500 clients that never read held
// 500 MB.
func TestTLSWriteSharedAfterHandshakeEncryptsAsTheSocketTakes(t *testing.T) {
	for _, batched := range []bool{false, true} {
		r, _ := newReactor(t, DefaultBackend(), WithBatchedIO(batched))
		if batched && !r.BatchedIO() {
			continue // no io_uring here: the direct run is the test
		}
		poem := pattern(1 << 20)
		var st tlsStall
		port := stallServer(t, r, func(tc *TLSConn) {
			tc.WriteShared(poem)
			tc.Write([]byte("-end"))
		}, (*TLSConn).LoseConnection, &st)
		got := lateReader(t, r, port)
		run(t, r)
		res := <-got
		want := string(poem) + "-end"
		if res.err != nil || string(res.b) != want {
			t.Errorf("batched %v: client read %d of %d bytes, then %v; want all and a clean end", batched, len(res.b), len(want), res.err)
		}
		if st.records > maxRecordsAhead {
			t.Errorf("batched %v: %d bytes of records held for a peer that does not read, want at most %d", batched, st.records, maxRecordsAhead)
		}
		if st.buffered < len(want)-st.records-256<<10 {
			t.Errorf("batched %v: Buffered = %d after writing %d bytes the socket cannot take: plaintext not counted", batched, st.buffered, len(want))
		}
		if st.lost != 0 {
			t.Errorf("batched %v: Buffered = %d at the clean end, want 0", batched, st.lost)
		}
	}
}

// AbortConnection drops the plaintext that waits: the peer gets a reset,
// not the end of the poem, and Buffered still counts it during
// ConnectionLost, so that it is not taken for sent.
func TestTLSAbortDropsQueuedPlaintext(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	poem := pattern(1 << 20)
	var st tlsStall
	port := stallServer(t, r, func(tc *TLSConn) { tc.WriteShared(poem) }, (*TLSConn).AbortConnection, &st)
	got := lateReader(t, r, port)
	run(t, r)
	res := <-got
	if res.err == nil {
		t.Errorf("client read %d bytes and a clean end after an abort", len(res.b))
	}
	if st.lost < len(poem)/2 {
		t.Errorf("Buffered during ConnectionLost = %d of %d bytes never sent", st.lost, len(poem))
	}
}

// A push producer registered while shared plaintext waits is paused until
// it has gone, and what it writes follows it: ordering is kept, and the
// close waits for both.
func TestTLSProducerAfterQueuedPlaintext(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend())
	poem := pattern(1 << 20)
	var prod *greedyPusher
	var pausedAtStart bool
	var st tlsStall
	port := stallServer(t, r, func(tc *TLSConn) {
		tc.WriteShared(poem)
		prod = &greedyPusher{t: tc, piece: []byte("0123456789abcdef"), left: 64 << 10}
		if err := tc.RegisterProducer(prod, true); err != nil {
			t.Error(err)
		}
		pausedAtStart = prod.paused
	}, (*TLSConn).LoseConnection, &st)
	got := lateReader(t, r, port)
	run(t, r)
	res := <-got
	if !pausedAtStart {
		t.Error("the producer was not paused while the poem waited")
	}
	want := len(poem) + 64<<10
	if res.err != nil || len(res.b) != want || string(res.b[:len(poem)]) != string(poem) {
		t.Errorf("client read %d of %d bytes (the poem first), then %v", len(res.b), want, res.err)
	}
	if prod.stops != 0 {
		t.Errorf("the producer was stopped %d times; it finished", prod.stops)
	}
}

// slowTLSReader says "go" over TLS to port from a socket with a small
// receive buffer, then reads 4 KiB a millisecond until the end (or a 5 s
// deadline): a reader that keeps the server's buffer near its marks.
func slowTLSReader(t *testing.T, r *Reactor, port *Port) <-chan readResult {
	got := make(chan readResult, 1)
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		raw := goDialSmall(t, port.Addr())
		if raw == nil {
			got <- readResult{}
			return
		}
		raw.SetDeadline(time.Now().Add(5 * time.Second))
		c := tls.Client(raw, testCerts(t).clientConfig())
		if _, err := c.Write([]byte("go")); err != nil {
			got <- readResult{err: err}
			return
		}
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				got <- readResult{all, err}
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return got
}

// A queue that never quite empties (the writer keeps about as far ahead
// as the reader: a steady backlog) keeps a list as long as what waits in
// it, not as long as every part it ever held. The parts already sent
// were never reclaimed: 100,000 rounds with one part waiting left a list
// of 100,001.
func TestTLSQueueSteadyBacklogStaysSmall(t *testing.T) {
	var q tlsQueue
	piece := pattern(512)
	q.share(piece)
	for range 100000 {
		q.share(piece)
		q.drop(len(q.next(len(piece))))
	}
	if q.n != len(piece) {
		t.Fatalf("queue holds %d bytes, want %d", q.n, len(piece))
	}
	if len(q.parts) > 4 {
		t.Errorf("a queue holding 1 part keeps a list of %d (head %d, capacity %d)", len(q.parts), q.head, cap(q.parts))
	}
	for i, p := range q.parts[:q.head] {
		if p != nil {
			t.Errorf("part %d, sent, is still referenced", i)
		}
	}
	for i, p := range q.parts[len(q.parts):cap(q.parts)] {
		if p != nil {
			t.Errorf("slot %d past the list's end still references %d bytes", len(q.parts)+i, len(p))
		}
	}
}
