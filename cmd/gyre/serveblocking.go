package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"gyre/poetry"
)

// blockingServer is gyre serve --blocking: the server of part 2, written
// with blocking calls. Each port has one goroutine that accepts a client,
// sends it the whole poem (sleeping between chunks with --slow), closes,
// and only then accepts the next: the clients that arrive meanwhile wait
// in the listen queue. That is the lesson, not a bug.
type blockingServer struct {
	cfg       serveConfig
	poems     []*poemSource
	listeners []net.Listener
	ports     []servingPort
	sink      *logSink
	buf       *logBuffer
	handler   slog.Handler

	wg     sync.WaitGroup
	doneCh chan struct{}

	mu sync.Mutex
	// open holds the client being served on each port; its value is true
	// once the poem is all written and the server waits for the client to
	// have it (see closeServed), which cut must not abort.
	open    map[net.Conn]bool
	cutting error         // set by cut: why the poems in flight were cut
	cutCh   chan struct{} // closed by cut: ends the pauses of slow poems
	totals  serveTotals
}

func newBlockingServer(cfg serveConfig, poems []*poemSource, sink *logSink, level slog.Level) (*blockingServer, error) {
	s := &blockingServer{
		cfg: cfg, poems: poems, sink: sink,
		buf:    sink.newBuffer(),
		doneCh: make(chan struct{}),
		cutCh:  make(chan struct{}),
		open:   make(map[net.Conn]bool),
	}
	s.handler = newLogHandler(s.buf, cfg.format, level)
	for j, p := range poems {
		port := 0
		if cfg.port != 0 {
			port = cfg.port + j
		}
		addr := net.JoinHostPort(cfg.iface, strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range s.listeners {
				l.Close()
			}
			return nil, fmt.Errorf("cannot listen on %s: %s", addr, poetry.Reason(err))
		}
		s.listeners = append(s.listeners, ln)
		s.ports = append(s.ports, servingPort{name: p.name, addr: ln.Addr().String()})
	}
	return s, nil
}

func (s *blockingServer) listening() []servingPort { return s.ports }

func (s *blockingServer) start() {
	for j, ln := range s.listeners {
		p := s.poems[j]
		port := ln.Addr().(*net.TCPAddr).Port
		log := s.handler.WithAttrs([]slog.Attr{slog.String("poem", p.name), slog.Int("port", port)})
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.acceptLoop(ln, p, log)
		}()
	}
	stopFlushing := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(stopFlushing)
		close(s.doneCh)
	}()
	go func() {
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.sink.flush(s.buf)
			case <-stopFlushing:
				return
			}
		}
	}()
}

// acceptLoop serves one port until its listener is closed.
func (s *blockingServer) acceptLoop(ln net.Listener, p *poemSource, log slog.Handler) {
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of descriptors, most likely: the client waits in the
			// queue while we pause.
			slog.New(log).Warn("accept failed", slog.String("error", poetry.Reason(err)))
			time.Sleep(50 * time.Millisecond)
			continue
		}
		s.mu.Lock()
		if s.cutting != nil {
			s.mu.Unlock()
			abort(conn)
			return
		}
		s.open[conn] = false
		s.mu.Unlock()
		if tc, ok := conn.(*net.TCPConn); ok && resetOnExit(s.cfg, p) {
			tc.SetLinger(0) // a reset if gyre dies mid-poem; closeCleanly undoes it
		}

		served := s.serveOne(conn, p)

		s.mu.Lock()
		delete(s.open, conn)
		if s.cutting != nil && served.Err != nil {
			served.Err = s.cutting
			s.totals.cut++
		} else if served.Err != nil && lostReason(served.Err, false) == lostPoemFile {
			s.totals.poemFile++
		}
		if served.Err == nil {
			s.totals.served++
		} else {
			s.totals.lost++
		}
		s.totals.bytes += served.Bytes
		s.mu.Unlock()
		if log.Enabled(context.Background(), slog.LevelInfo) {
			logServed(log, served)
		}
	}
}

// serveOne sends the poem to one client, blocking until it is all sent,
// and closes the connection.
func (s *blockingServer) serveOne(conn net.Conn, p *poemSource) poetry.Served {
	start := time.Now()
	var sent int64
	var err error
	switch {
	case s.cfg.slow:
		// As the tutorial's slow server: a chunk, a pause, and so on,
		// a pause after the last chunk too, then the close.
		data := p.data
		for len(data) > 0 && err == nil {
			n := poetry.ChunkLen(data, s.cfg.numBytes)
			var w int
			w, err = conn.Write(data[:n])
			sent += int64(w)
			data = data[n:]
			if err == nil {
				s.pause()
			}
		}
	case p.file != nil:
		// io.Copy hands this to sendfile(2) where it can.
		sent, err = io.Copy(conn, io.NewSectionReader(p.file, 0, p.size))
	default:
		var w int
		w, err = conn.Write(p.data)
		sent = int64(w)
	}
	if err == nil && p.file != nil && sent < p.size {
		// The file shrank: what was sent is not the poem.
		err = &poetry.ShortFileError{Sent: sent, Size: p.size}
	}
	if err == nil {
		err = s.closeServed(conn)
	} else {
		// A poem cut short ends with a reset, never a clean close.
		abort(conn)
	}
	var short *poetry.ShortFileError
	if err != nil && !errors.As(err, &short) {
		err = errors.New(poetry.Reason(err))
	}
	return poetry.Served{Peer: conn.RemoteAddr(), Start: start, Duration: time.Since(start), Bytes: sent, Err: err}
}

// How a served poem ends. Closing a socket with input unread (a client's
// greeting, a request the poetry protocol never reads), or receiving
// input once it is closed, makes the kernel send a reset instead of the
// end of the stream; the reset throws away the end of the poem that still
// waits in the socket, and the client takes the poem as failed. Dropping
// the waiting input just before the close (as the reactor's discardInput
// does) is not enough: a greeting that arrives a moment later still resets.
//
// So the server shuts its sending side first, which puts the end of the
// stream after the poem, and keeps the socket open, reading and dropping
// what the client sends, until the client's system has acknowledged the
// whole poem and the end of stream (Linux's SIOCOUTQ): the client then has
// both, and a reset can no longer take them away (a Linux client reads the
// data and the end of stream that arrived before a reset as if the reset
// had not come). Once the rest of the poem fits in the client's buffers this takes
// one round trip, whether or not the client reads. If it has not happened
// within lingerTime, or the client sends more than lingerLimit bytes
// meanwhile, or the server is cut, the poem was not delivered: it ends
// with a reset and counts as lost. The port's goroutine is held
// meanwhile: this server serves one client at a time anyway.
//
// Where the system cannot say what was acknowledged, the server closes as
// the reactor does (reactor/linger.go): at once if the client has said
// nothing or has ended its side, otherwise when it ends its side or at
// the limits, and counts the poem as done.
const (
	lingerTime  = 10 * time.Second
	lingerLimit = 16 << 20
	lingerPoll  = 5 * time.Millisecond // no event tells of an acknowledgement
)

// closeServed ends a connection whose poem is all written, and returns
// nil if the client got it whole with a clean end, or why not (the
// connection then ends with a reset, as every poem cut short does).
func (s *blockingServer) closeServed(conn net.Conn) error {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return conn.Close()
	}
	if err := tc.CloseWrite(); err != nil {
		abort(conn)
		return err
	}
	// From now on cut leaves the connection to this loop, which ends the
	// wait by itself (see cut).
	s.mu.Lock()
	s.open[conn] = true
	s.mu.Unlock()
	deadline := time.Now().Add(lingerTime)
	buf := make([]byte, 32<<10)
	dropped, eof := 0, false
	for {
		if !eof {
			n, end, err := discardWaiting(tc, buf)
			if err != nil {
				// The client reset: a client that has read the poem to
				// its end closes cleanly.
				abort(conn)
				return err
			}
			dropped, eof = dropped+n, end
		}
		acked, known := acknowledged(tc)
		if acked || !known && (eof || dropped == 0) {
			return closeCleanly(tc)
		}
		s.mu.Lock()
		cut := s.cutting != nil
		s.mu.Unlock()
		switch {
		case !cut && dropped < lingerLimit && time.Now().Before(deadline):
		case !known:
			discardWaiting(tc, buf)
			return closeCleanly(tc)
		case cut:
			abort(conn)
			return errors.New("cut") // acceptLoop reports the cut's reason
		case dropped >= lingerLimit:
			abort(conn)
			return fmt.Errorf("the client sent %d bytes after the poem and had not taken all of it", dropped)
		default:
			abort(conn)
			return fmt.Errorf("the client had not taken the whole poem %v after it was sent", lingerTime)
		}
		// Wait for input, or a moment to look at the acknowledgements
		// again; what comes is dropped.
		wait := min(lingerPoll, time.Until(deadline))
		if eof {
			time.Sleep(wait)
			continue
		}
		tc.SetReadDeadline(time.Now().Add(wait))
		n, err := tc.Read(buf)
		tc.SetReadDeadline(time.Time{}) // discardWaiting fails past a deadline
		dropped += n
		switch {
		case err == io.EOF:
			eof = true
		case err != nil && !errors.Is(err, os.ErrDeadlineExceeded):
			abort(conn)
			return err
		}
	}
}

// discardWaiting reads and drops the input waiting in conn, without
// waiting for more (lingerLimit bytes at most), and reports how much it
// dropped and whether it met the end of the stream.
func discardWaiting(conn *net.TCPConn, buf []byte) (n int, eof bool, err error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	cerr := rc.Read(func(fd uintptr) bool {
		// Go's sockets are non-blocking: EAGAIN says nothing waits.
		for n < lingerLimit {
			k, rerr := unix.Read(int(fd), buf)
			switch {
			case rerr == unix.EINTR:
				continue
			case rerr == unix.EAGAIN:
				return true
			case rerr != nil:
				err = os.NewSyscallError("read", rerr)
				return true
			case k == 0:
				eof = true
				return true
			}
			n += k
		}
		return true
	})
	if err == nil {
		err = cerr
	}
	return n, eof, err
}

func (s *blockingServer) drain() int {
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.sink.flush(s.buf)
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// cut aborts the clients being served: each reads a reset, and the
// serving goroutine's next write fails, which ends it. A client whose poem
// is all written is left to closeServed, which sees the cut within
// lingerPoll and resets the client only if it does not have the poem yet.
func (s *blockingServer) cut(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.cutting == nil
	s.cutting = errors.New("cut: " + why)
	for c, lingering := range s.open {
		if !lingering {
			abort(c)
		}
	}
	// Only now wake the slow poems from their pauses: woken first, one
	// could send the rest of its poem at full speed, and end it cleanly,
	// before its connection was aborted (its serving goroutine can run
	// while this one waits for a processor).
	if first {
		close(s.cutCh)
	}
}

// pause waits --delay between two chunks of a slow poem, or until a cut:
// the next write then fails on the aborted connection at once, instead of
// after a --delay that may be long, holding the exit.
func (s *blockingServer) pause() {
	t := time.NewTimer(s.cfg.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.cutCh:
	}
}

// closeCleanly closes a connection whose poem the client has: with the
// default SO_LINGER again, so that the close is the clean end it means.
func closeCleanly(tc *net.TCPConn) error {
	tc.SetLinger(-1)
	return tc.Close()
}

// abort closes conn with a reset (SO_LINGER 0).
func abort(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func (s *blockingServer) buffers() []*logBuffer { return []*logBuffer{s.buf} }

func (s *blockingServer) done() <-chan struct{} { return s.doneCh }
func (s *blockingServer) err() error            { return nil }

func (s *blockingServer) finish() serveTotals {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totals
}
