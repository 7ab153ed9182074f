package poetrytest

import (
	"io"
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
	ended chan struct{} // closed, and replaced, whenever a connection ends
	done  chan struct{}

	// Set by StartStaggeredServers before any of its servers starts:
	// after is the server before this one, whose connections must have
	// ended before this one sends a poem's last piece, and awaitClose
	// makes a connection end only once its client has closed its side,
	// which it does when it has seen the poem's end.
	after      *SlowServer
	awaitClose bool
}

// afterWait bounds how long a staggered server's last piece waits for the
// previous server's connections to end (a client that keeps a finished
// poem's socket open): then it goes anyway, paced by the delays alone.
const afterWait = 5 * time.Second

// StartSlowServer serves poem on 127.0.0.1:0, numBytes characters per send
// (see poetry.ChunkLen) and delay after every send, including the last,
// before closing the connection. It is stopped when the test ends.
func StartSlowServer(t testing.TB, poem []byte, numBytes int, delay time.Duration) *SlowServer {
	t.Helper()
	s := listenSlow(t)
	s.start(t, poem, numBytes, delay)
	return s
}

// listenSlow opens a SlowServer's listener; start serves it.
func listenSlow(t testing.TB) *SlowServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &SlowServer{
		Addr:  ln.Addr().String(),
		Port:  strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		ln:    ln,
		conns: map[net.Conn]bool{},
		ended: make(chan struct{}),
		done:  make(chan struct{}),
	}
}

// start accepts connections on s's listener and serves each poem, until
// the test ends.
func (s *SlowServer) start(t testing.TB, poem []byte, numBytes int, delay time.Duration) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := s.ln.Accept()
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
}

func (s *SlowServer) serve(conn net.Conn, poem []byte, numBytes int, delay time.Duration) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, conn)
		close(s.ended)
		s.ended = make(chan struct{})
		s.mu.Unlock()
		conn.Close()
	}()
	for len(poem) > 0 {
		n := poetry.ChunkLen(poem, numBytes)
		if n == len(poem) && s.after != nil {
			s.after.waitIdle(s.done)
		}
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
	if s.awaitClose {
		// The poem's end for the client, then its close: it has seen
		// the end, and StartStaggeredServers' next server may finish.
		conn.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, conn)
	}
}

// waitIdle waits until s has no connection open (every poem it began has
// been read to its end and closed by its client), at most afterWait, or
// until stop is closed.
func (s *SlowServer) waitIdle(stop <-chan struct{}) {
	timeout := time.After(afterWait)
	for {
		s.mu.Lock()
		open, ended := len(s.conns), s.ended
		s.mu.Unlock()
		if open == 0 {
			return
		}
		select {
		case <-ended:
		case <-timeout:
			return
		case <-stop:
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
