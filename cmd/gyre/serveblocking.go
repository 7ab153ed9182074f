package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

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

	mu      sync.Mutex
	open    map[net.Conn]bool // the client being served on each port
	cutting bool
	totals  serveTotals
}

func newBlockingServer(cfg serveConfig, poems []*poemSource, sink *logSink, level slog.Level) (*blockingServer, error) {
	s := &blockingServer{
		cfg: cfg, poems: poems, sink: sink,
		buf:    &logBuffer{limit: logBufferLimit},
		doneCh: make(chan struct{}),
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
				s.sink.flush(s.buf, false)
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
		if s.cutting {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.open[conn] = true
		s.mu.Unlock()

		served := s.serveOne(conn, p)

		s.mu.Lock()
		delete(s.open, conn)
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
	defer conn.Close()
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
				time.Sleep(s.cfg.delay)
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
	if err == nil {
		err = conn.Close()
	}
	if err != nil {
		err = errors.New(poetry.Reason(err))
	}
	return poetry.Served{Peer: conn.RemoteAddr(), Start: start, Duration: time.Since(start), Bytes: sent, Err: err}
}

func (s *blockingServer) drain() int {
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.sink.flush(s.buf, false)
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

func (s *blockingServer) cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cutting = true
	for c := range s.open {
		c.Close() // the next write fails, and the goroutine ends
	}
}

func (s *blockingServer) done() <-chan struct{} { return s.doneCh }
func (s *blockingServer) err() error            { return nil }

func (s *blockingServer) finish() serveTotals {
	s.sink.flush(s.buf, true)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totals
}
