package poetrytest

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"gyre/internal/progtest"
	"gyre/poetry"
)

// SlowServer is a running in-process slow poetry server.
type SlowServer struct {
	// Addr is the loopback address it listens on, "127.0.0.1:PORT".
	Addr string
	// Port is the port part of Addr, as the clients take it on their
	// command line.
	Port string

	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	done  chan struct{}
}

// StartSlowServer serves poem on 127.0.0.1:0, numBytes characters per send
// (see poetry.ChunkLen) and delay after every send, including the last,
// before closing the connection. It is stopped when the test ends.
func StartSlowServer(t testing.TB, poem []byte, numBytes int, delay time.Duration) *SlowServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SlowServer{
		Addr:  ln.Addr().String(),
		Port:  strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		ln:    ln,
		conns: map[net.Conn]bool{},
		done:  make(chan struct{}),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed by Stop
			}
			s.mu.Lock()
			s.conns[conn] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go s.serve(conn, poem, numBytes, delay)
		}
	}()
	t.Cleanup(s.Stop)
	return s
}

func (s *SlowServer) serve(conn net.Conn, poem []byte, numBytes int, delay time.Duration) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
		conn.Close()
	}()
	for len(poem) > 0 {
		n := poetry.ChunkLen(poem, numBytes)
		if _, err := conn.Write(poem[:n]); err != nil {
			return
		}
		poem = poem[n:]
		// The pause is the server's behaviour being simulated, not a way
		// of waiting for something; Stop cuts it short.
		select {
		case <-time.After(delay):
		case <-s.done:
			return
		}
	}
}

// Stop closes the listener and every connection and waits for the
// server's goroutines. It may be called more than once.
func (s *SlowServer) Stop() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	close(s.done)
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// RefusedAddr returns a loopback address ("127.0.0.1:PORT") on which
// nothing listens: a connection there is refused at once. The port stays
// bound (see progtest.RefusedAddr) until the test ends, so no other
// program can take it meanwhile.
func RefusedAddr(t testing.TB) string {
	t.Helper()
	return progtest.RefusedAddr(t)
}

// FreePort returns a loopback port that was free a moment ago, for a
// server program to listen on: the system handed it out and it was
// released at once, so another program taking it in between is unlikely.
func FreePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
