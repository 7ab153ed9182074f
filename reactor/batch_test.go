package reactor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/reactor/internal/poll"
)

// batchedReactor is a reactor with WithBatchedIO, or a skip where the
// kernel refuses io_uring (the reactor would write directly there, which
// the rest of the suite covers).
func batchedReactor(t *testing.T) *Reactor {
	t.Helper()
	r, _ := newReactor(t, DefaultBackend(), WithBatchedIO(true))
	if !r.BatchedIO() {
		t.Skip("no io_uring here (kernel, io_uring_disabled or a seccomp filter): batched sends fall back to write(2)")
	}
	return r
}

func TestBatchedIOOption(t *testing.T) {
	r, _ := newReactor(t, DefaultBackend(), WithBatchedIO(false))
	if r.BatchedIO() {
		t.Error("WithBatchedIO(false) batches")
	}
	t.Setenv(BatchEnv, "0")
	if r, _ := newReactor(t, DefaultBackend()); r.BatchedIO() {
		t.Errorf("%s=0 batches", BatchEnv)
	}
}

// Many clients, each a stream of requests answered in order: every byte
// comes back on its own connection, whatever the turns batched together.
func TestBatchedEcho(t *testing.T) {
	r := batchedReactor(t)
	f := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, b []byte) { p.Transport.Write(b) }}
	}}
	port := listen(t, r, f)
	const clients, rounds = 24, 200
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := goDial(t, port.Addr())
			if c == nil {
				return
			}
			defer c.Close()
			got := make([]byte, 4096)
			for k := range rounds {
				msg := bytes.Repeat([]byte{byte('a' + (i+k)%26)}, 1+(i*rounds+k)%3000)
				if _, err := c.Write(msg); err != nil {
					t.Error(err)
					return
				}
				if _, err := io.ReadFull(c, got[:len(msg)]); err != nil || !bytes.Equal(got[:len(msg)], msg) {
					t.Errorf("client %d round %d: echo %v (%d bytes)", i, k, err, len(msg))
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); r.CallFromGoroutine(func() { r.Stop() }) }()
	run(t, r)
}

// askOnce serves f on r, sends one request from a client and returns
// everything the client then reads, until the end of the stream or an
// error, once the reactor has stopped.
func askOnce(t *testing.T, r *Reactor, f Factory) ([]byte, error) {
	t.Helper()
	port := listen(t, r, f)
	var got []byte
	var err error
	go func() {
		defer r.CallFromGoroutine(func() { r.Stop() })
		c := goDial(t, port.Addr())
		if c == nil {
			err = errors.New("no connection")
			return
		}
		c.Write([]byte("go"))
		got, err = readAll(c)
	}()
	run(t, r)
	return got, err
}

// A large answer the socket cannot take at once, then LoseConnection: the
// rest waits for writability, all of it arrives, and the end is a clean
// close.
func TestBatchedWriteThenLose(t *testing.T) {
	for _, linked := range []bool{true, false} {
		t.Run(fmt.Sprintf("linkedClose=%v", linked), func(t *testing.T) {
			for _, size := range []int{3003, 4 << 20} {
				writeThenLose(t, linked, size)
			}
		})
	}
}

// writeThenLose: size bytes written and the connection lost in one
// callback, with the close linked after the send in the ring or (where
// the kernel would not cancel a close after a short send, and so here by
// hand) made the direct way once everything is sent.
func writeThenLose(t *testing.T, linked bool, size int) {
	r := batchedReactor(t)
	if linked && !r.batch.linkedClose {
		t.Skip("this kernel does not cancel what is linked after a short send: closes are not linked here")
	}
	r.batch.linkedClose = linked
	body := pattern(size)
	f := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, b []byte) {
			p.Transport.Write(body)
			p.Transport.LoseConnection()
		}}
	}}
	got, err := askOnce(t, r, f)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("got %d bytes and %v, want the %d written and the end of the stream", len(got), err, len(body))
	}
	if err := f.all[0].lostOnce(t); !errors.Is(err, ErrConnectionDone) {
		t.Errorf("lost: %v", err)
	}
}

// An abort in the turn that wrote: the batched bytes never go, and the
// peer sees a reset, not an end of file after a partial answer.
func TestBatchedWriteThenAbort(t *testing.T) {
	r := batchedReactor(t)
	f := &servers{build: func() *recorder {
		return &recorder{onData: func(p *recorder, b []byte) {
			p.Transport.Write([]byte("never sent"))
			p.Transport.AbortConnection()
		}}
	}}
	if got, err := askOnce(t, r, f); len(got) != 0 || !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("peer read %q, %v: want nothing and a reset", got, err)
	}
}

// Within the turn a Write waits in the batch, registers nothing with the
// backend and counts nothing in Buffered (the socket has refused nothing);
// it is sent at the end of the turn.
func TestBatchedUntilEndOfTurn(t *testing.T) {
	r := batchedReactor(t)
	var c *Conn
	var peer int
	r.CallWhenRunning(func() {
		c, peer = pairConn(t, r, &recorder{})
		c.Write([]byte("abc"))
		c.Write([]byte("def"))
		if c.Buffered() != 0 || c.flags&(fWriting|fBatched) != fBatched {
			t.Errorf("inside the turn: Buffered %d (the socket refused nothing), registered for writing %v, batched %v",
				c.Buffered(), c.flags&fWriting != 0, c.flags&fBatched != 0)
		}
		r.CallLater(10*time.Millisecond, func() {
			if got := string(readSome(t, peer)); got != "abcdef" || c.flags&fBatched != 0 {
				t.Errorf("after the turn the peer has %q and the connection is still batched: %v", got, c.flags&fBatched != 0)
			}
			r.Stop()
		})
	})
	run(t, r)
}

// A Write larger than the batch takes goes out at once, inside Write, as
// without batching, and costs no copy: writing large answers through a
// batching reactor allocates nothing (each was copied before, which halved
// a TLS connection's throughput on a large poem).
func TestBatchedLargeWriteGoesAtOnce(t *testing.T) {
	r := batchedReactor(t)
	a, peer := socketPair(t)
	c := &Conn{r: r, fd: int32(a)}
	c.start(&recorder{})
	big := bytes.Repeat([]byte("x"), maxBatched+1)
	small := []byte("small")
	buf := make([]byte, 2*len(big))
	roundTrip := func() {
		c.Write(small) // batched
		c.Write(big)   // sends what is batched, then itself at once
		if c.flags&fBatched != 0 {
			t.Fatal("a large Write waits in the batch")
		}
		if n, _ := unix.Read(peer, buf); n != len(small)+len(big) || string(buf[:len(small)]) != "small" {
			t.Fatalf("inside the turn the peer read %d bytes (starting %q), want %d starting %q", n, buf[:min(n, 5)], len(small)+len(big), small)
		}
	}
	roundTrip()
	if allocs := testing.AllocsPerRun(100, roundTrip); allocs != 0 {
		t.Errorf("%.1f allocations per large batched Write, want 0", allocs)
	}
}

// A batched send to a peer that has gone ends the connection with the
// errno, through ConnectionLost, once.
func TestBatchedWriteToGonePeer(t *testing.T) {
	r := batchedReactor(t)
	p := &recorder{onLost: func(*recorder, error) { r.Stop() }}
	r.CallWhenRunning(func() {
		c, peer := pairConn(t, r, p)
		c.PauseProducing() // so that the read side does not see the end first
		unix.Close(peer)
		c.Write([]byte("anyone there?"))
	})
	go func() {
		time.Sleep(testTimeout / 2)
		r.CallFromGoroutine(func() { r.Stop() })
	}()
	run(t, r)
	err := p.lostOnce(t)
	if !errors.Is(err, ErrConnectionLost) || !(errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("lost: %v", err)
	}
}

// echoer is a protocol that writes back what it receives, keeping none
// of it.
func echoer() *recorder {
	return &recorder{onData: func(p *recorder, d []byte) {
		p.data = p.data[:0]
		p.Transport.Write(d)
	}}
}

// Echoing through the batch allocates nothing once a connection has its
// buffer: the hot-path rule.
func TestBatchedEchoAllocatesNothing(t *testing.T) {
	r := batchedReactor(t)
	c, peer := pairConn(t, r, echoer())
	msg, buf := []byte("ping"), make([]byte, 16)
	ready := []poll.Event{{Fd: c.fd, What: poll.Readable}}
	roundTrip := func() {
		unix.Write(peer, msg)
		r.round++
		r.dispatch(ready) // the batched receive
		r.flushWrites()   // the batched send
		if n, _ := unix.Read(peer, buf); n != len(msg) {
			t.Fatalf("peer read %d bytes, want %d", n, len(msg))
		}
	}
	roundTrip()
	if allocs := testing.AllocsPerRun(200, roundTrip); allocs != 0 {
		t.Errorf("%.1f allocations per echo, want 0", allocs)
	}
}

// A turn of 32 connections with a request each, read directly and
// answered through the batch (one system call for the 32 answers) or with
// one write(2) each. The peers' writes and reads are in both.
func BenchmarkEchoBatched(b *testing.B) { benchEcho(b, true) }
func BenchmarkEchoDirect(b *testing.B)  { benchEcho(b, false) }

// BenchmarkEchoOneReadable: a turn in which one connection is readable, as
// a lightly loaded server sees most turns: the dispatch's receive and the
// batched answer of 1 KiB, the peer's write and read included.
func BenchmarkEchoOneReadable(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend(), WithBatchedIO(true))
	if !r.BatchedIO() {
		b.Skip("no io_uring here")
	}
	a, peer := socketPair(b)
	c := &Conn{r: r, fd: int32(a)}
	c.start(echoer())
	ready := []poll.Event{{Fd: c.fd, What: poll.Readable}}
	msg, buf := make([]byte, 1024), make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		unix.Write(peer, msg)
		r.round++
		r.dispatch(ready)
		r.flushWrites()
		if n, _ := unix.Read(peer, buf); n != len(msg) {
			b.Fatalf("peer read %d bytes, want %d", n, len(msg))
		}
	}
}

func benchEcho(b *testing.B, batched bool) {
	r, _ := newReactor(b, DefaultBackend(), WithBatchedIO(batched))
	if batched && !r.BatchedIO() {
		b.Skip("no io_uring here")
	}
	const conns = 32
	var cs []*Conn
	var peers []int
	for range conns {
		a, p := socketPair(b)
		c := &Conn{r: r, fd: int32(a)}
		c.start(echoer())
		cs, peers = append(cs, c), append(peers, p)
	}
	msg, buf := make([]byte, 1024), make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range peers {
			unix.Write(p, msg)
		}
		for _, c := range cs {
			c.DoRead()
		}
		r.flushWrites()
		for _, p := range peers {
			unix.Read(p, buf)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*conns), "ns/request")
}

// Two connections readable in one wait, received in one batch: the first
// to be handed its bytes pauses the other, whose bytes are already read.
// They must wait for ResumeProducing, and come before anything the peer
// sends later.
func TestBatchedReadPausedMidBatch(t *testing.T) {
	r := batchedReactor(t)
	var conns [2]*Conn
	var peers [2]int
	var paused *Conn
	stashed := false
	for i := range conns {
		p := &recorder{}
		p.onData = func(p *recorder, d []byte) {
			if p.conn().flags&fPaused != 0 {
				t.Error("DataReceived on a paused connection")
			}
			if paused != nil {
				return
			}
			other := conns[1-i]
			paused = other
			other.PauseProducing()
			r.CallLater(20*time.Millisecond, func() {
				stashed = other.extra != nil && len(other.extra.stash) > 0
				other.ResumeProducing()
				unix.Write(peers[1-i], []byte(" and more"))
			})
			r.CallLater(100*time.Millisecond, func() { r.Stop() })
		}
		r.CallWhenRunning(func() { conns[i], peers[i] = pairConn(t, r, p) })
	}
	r.CallWhenRunning(func() {
		unix.Write(peers[0], []byte("from 0"))
		unix.Write(peers[1], []byte("from 1"))
	})
	run(t, r)
	if !stashed {
		t.Fatal("the paused connection's bytes were not received in the same batch: nothing was tested")
	}
	for i, c := range conns {
		want := fmt.Sprintf("from %d", i)
		if c == paused {
			want += " and more"
		}
		if got := string(c.proto.(*recorder).data); got != want {
			t.Errorf("connection %d got %q, want %q", i, got, want)
		}
	}
}

// Write then LoseConnection, batched: the send, a discard of the input
// the client sent and the server never read, and the close go in one
// submission. The client gets the whole poem and a clean end of file (no
// reset over its unread input), and the protocol hears ConnectionDone.
// One port answers in ConnectionMade (the fast poetry server), its clients
// sending nothing (one that did could see its input arrive after the
// close, and the kernel's reset for it, batched or not); the other answers
// later, not reading meanwhile, so that its clients' input arrives unread.
func TestBatchedWriteAndCloseInOneSubmission(t *testing.T) {
	r := batchedReactor(t)
	poem := pattern(3003)
	answer := func(p *recorder) {
		p.Transport.Write(poem)
		p.Transport.LoseConnection()
	}
	fast := &servers{build: func() *recorder { return &recorder{onMade: answer} }}
	late := &servers{build: func() *recorder {
		return &recorder{onMade: func(p *recorder) {
			p.Transport.PauseProducing()
			r.CallLater(50*time.Millisecond, func() { answer(p) })
		}}
	}}
	ports := []*Port{listen(t, r, fast), listen(t, r, late)}
	const clients = 50
	errc := make(chan error, clients)
	for i := range clients {
		go func() {
			c, err := net.DialTimeout("tcp", ports[i%2].Addr().String(), testTimeout)
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			if i%2 == 1 {
				c.Write(make([]byte, 100<<10)) // input the server never reads
			}
			got, err := readAll(c)
			if err == nil && !bytes.Equal(got, poem) {
				err = fmt.Errorf("client %d got %d bytes, want the %d of the poem", i, len(got), len(poem))
			}
			errc <- err
		}()
	}
	go func() {
		for range clients {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
		r.CallFromGoroutine(func() { r.Stop() })
	}()
	run(t, r)
	for i, p := range append(fast.all, late.all...) {
		if err := p.lostOnce(t); !errors.Is(err, ErrConnectionDone) {
			t.Errorf("connection %d lost: %v", i, err)
		}
	}
}

// Writes to more connections in one turn than one submission carries:
// the list of items never grows past it (the batch goes early), and every
// connection gets its bytes.
func TestBatchedManyConnectionsOneTurn(t *testing.T) {
	r := batchedReactor(t)
	const n = 3*batchEntries + 7
	var conns []*Conn
	var peers []int
	r.CallWhenRunning(func() {
		for range n {
			c, peer := pairConn(t, r, &recorder{})
			conns, peers = append(conns, c), append(peers, peer)
		}
		for i, c := range conns {
			c.Write(fmt.Appendf(nil, "connection %d", i))
			if len(r.batch.items) > batchEntries {
				t.Fatalf("%d items batched", len(r.batch.items))
			}
		}
		r.CallLater(20*time.Millisecond, func() {
			for i, p := range peers {
				if got, want := string(readSome(t, p)), fmt.Sprintf("connection %d", i); got != want {
					t.Errorf("peer %d got %q, want %q", i, got, want)
				}
			}
			r.Stop()
		})
	})
	run(t, r)
}

// Writes to two connections in turn: each connection's bytes stay in
// order, whether they extend its batched bytes in place or move them
// behind the other's.
func TestBatchedInterleavedWrites(t *testing.T) {
	r := batchedReactor(t)
	r.CallWhenRunning(func() {
		a, pa := pairConn(t, r, &recorder{})
		b, pb := pairConn(t, r, &recorder{})
		a.Write([]byte("a1 "))
		a.Write([]byte("a2 ")) // in place
		b.Write([]byte("b1 "))
		a.Write([]byte("a3 ")) // moved behind b's
		a.WriteShared([]byte("a4"))
		b.WriteSequence([][]byte{[]byte("b2 "), []byte("b3")})
		r.CallLater(20*time.Millisecond, func() {
			if got := string(readSome(t, pa)); got != "a1 a2 a3 a4" {
				t.Errorf("a's peer got %q", got)
			}
			if got := string(readSome(t, pb)); got != "b1 b2 b3" {
				t.Errorf("b's peer got %q", got)
			}
			r.Stop()
		})
	})
	run(t, r)
}

// Moving a connection's batched bytes behind another's allocates nothing:
// they are copied within the shared buffer, not joined in a new slice.
func TestBatchedInterleavedWritesAllocateNothing(t *testing.T) {
	turn := interleavedTurn(t, batchedReactor(t))
	turn()
	if allocs := testing.AllocsPerRun(100, turn); allocs != 0 {
		t.Errorf("%.1f allocations per turn of interleaved writes, want 0", allocs)
	}
}

// A turn in which one connection's bytes move behind another's (a
// protocol that answers two connections in turn), sent and read back.
func BenchmarkBatchedInterleavedWrites(b *testing.B) {
	r, _ := newReactor(b, DefaultBackend(), WithBatchedIO(true))
	if !r.BatchedIO() {
		b.Skip("no io_uring here")
	}
	turn := interleavedTurn(b, r)
	b.ReportAllocs()
	for b.Loop() {
		turn()
	}
}

// interleavedTurn returns a turn that writes to two connections of r in
// turn (a's bytes, b's, then a's again, the last lent), flushes the batch
// and checks what each peer reads.
func interleavedTurn(tb testing.TB, r *Reactor) func() {
	a, pa := socketPair(tb)
	b, pb := socketPair(tb)
	ca, cb := &Conn{r: r, fd: int32(a)}, &Conn{r: r, fd: int32(b)}
	ca.start(&recorder{})
	cb.start(&recorder{})
	buf := make([]byte, 64)
	a1, a2, a3, b1 := []byte("a1 "), []byte("a2 "), []byte("a3"), []byte("b1")
	read := func(fd int, want string) {
		if n, _ := unix.Read(fd, buf); string(buf[:max(n, 0)]) != want {
			tb.Fatalf("the peer read %q, want %q", buf[:max(n, 0)], want)
		}
	}
	return func() {
		ca.Write(a1)
		cb.Write(b1)
		ca.Write(a2) // moved behind b's
		ca.WriteShared(a3)
		r.flushWrites()
		read(pa, "a1 a2 a3")
		read(pb, "b1")
	}
}

// Two connections written to in turn, in pieces of every size up to the
// largest the batch takes, copied and lent: the moves behind the other
// connection's bytes fill the shared buffer and send early, and each
// peer still gets its bytes whole and in order.
func TestBatchedInterleavedWritesInOrder(t *testing.T) {
	r := batchedReactor(t)
	var want, got [2][]byte
	r.CallWhenRunning(func() {
		var conns [2]*Conn
		var peers [2]int
		for i := range conns {
			conns[i], peers[i] = pairConn(t, r, &recorder{})
		}
		size := 1
		for i := range 400 {
			k := i % 2
			if i%3 == 0 {
				k = 1 - k // now and then the same connection twice
			}
			size = (size*7919 + 13) % maxBatched
			piece := bytes.Repeat([]byte{byte('a' + i%26)}, size+1)
			want[k] = append(want[k], piece...)
			if i%5 == 0 {
				conns[k].WriteShared(piece)
			} else {
				conns[k].Write(piece)
			}
		}
		var drain func()
		drain = func() {
			for i, fd := range peers {
				got[i] = append(got[i], readSome(t, fd)...)
			}
			if len(got[0]) < len(want[0]) || len(got[1]) < len(want[1]) {
				r.CallLater(time.Millisecond, drain)
				return
			}
			r.Stop()
		}
		r.CallLater(0, drain)
	})
	run(t, r)
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("peer %d got %d bytes, want the %d written, in order", i, len(got[i]), len(want[i]))
		}
	}
}

// An answer written in many small pieces in one callback (a producer's
// loop): the batch never holds more than outSize of it (it sends early
// and the connection's own buffer takes the rest, as with direct writes),
// and the bytes arrive whole and in order.
func TestBatchedManySmallWrites(t *testing.T) {
	r := batchedReactor(t)
	const pieces = 200000
	var want, got []byte
	r.CallWhenRunning(func() {
		c, peer := pairConn(t, r, &recorder{})
		for i := range pieces {
			piece := fmt.Appendf(nil, "%07d\n", i)
			want = append(want, piece...)
			c.Write(piece)
			if c.flags&fBatched != 0 && len(r.batch.item(c).buf) > outSize {
				t.Fatalf("%d bytes batched for one connection", len(r.batch.item(c).buf))
			}
		}
		var drain func()
		drain = func() {
			got = append(got, readSome(t, peer)...)
			if len(got) < len(want) {
				r.CallLater(time.Millisecond, drain)
				return
			}
			r.Stop()
		}
		r.CallLater(0, drain)
	})
	run(t, r)
	if !bytes.Equal(got, want) {
		t.Fatalf("the peer got %d bytes, want the %d written, in order", len(got), len(want))
	}
}

// A peer that sent something nobody read, then goes on sending after the
// answer: its connection's close lingers, batched or not, so that the
// reset its later bytes would meet cannot throw away the end of an answer
// the socket has not sent yet. Closed by the ring at once, the connection
// cut a slow reader's answer short, and the peer could even read a clean
// end of file after the first few KiB.
func TestBatchedCloseLingersOnUnreadInput(t *testing.T) {
	for _, batched := range []bool{false, true} {
		t.Run(fmt.Sprintf("batched=%v", batched), func(t *testing.T) {
			r := batchedReactor(t)
			if !batched {
				r, _ = newReactor(t, DefaultBackend(), WithBatchedIO(false))
			}
			body := pattern(256 << 10)
			var srv *recorder
			made, lost := make(chan struct{}), make(chan struct{})
			f := &servers{build: func() *recorder {
				// Paused: what the client sends stays unread. The send
				// buffer takes the whole answer at once, and the client's
				// small receive buffer leaves most of it unsent there.
				srv = &recorder{onMade: func(p *recorder) {
					p.conn().PauseProducing()
					unix.SetsockoptInt(p.conn().Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 1<<20)
					close(made)
				},
					onLost: func(*recorder, error) { close(lost) }}
				return srv
			}}
			port := listen(t, r, f)
			type result struct {
				n   int
				err error
			}
			done := make(chan result, 1)
			go func() {
				defer r.CallFromGoroutine(func() { r.Stop() })
				c := goDialSmall(t, port.Addr())
				if c == nil {
					done <- result{}
					return
				}
				select {
				case <-made:
				case <-time.After(testTimeout):
				}
				c.Write([]byte("a poem, please\n"))
				// The request waits in the server's socket: answer it.
				r.CallFromGoroutine(func() {
					srv.conn().WriteShared(body)
					srv.Transport.LoseConnection()
				})
				select {
				case <-lost:
				case <-time.After(testTimeout):
				}
				c.Write([]byte("and another\n")) // after the server's close
				b, err := readAll(c)
				done <- result{len(b), err}
			}()
			run(t, r)
			if got := <-done; got.err != nil || got.n != len(body) {
				t.Errorf("client read %d of %d bytes, then %v", got.n, len(body), got.err)
			}
		})
	}
}
