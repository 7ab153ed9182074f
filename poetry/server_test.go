package poetry

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// manyClients connects n clients at once (all dials released together) to
// addr and returns how many got want exactly, with the first problem seen.
// Each client hashes the poem as it reads, through one small buffer: a
// thousand clients that each grew a copy of a large poem (doubling a
// buffer as it came) would spend more time in the allocator than the
// server spends serving them, and under the race detector on two cores
// not finish in time.
func manyClients(n int, addr string, want []byte) (int, error) {
	sum := sha256.Sum256(want)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	var first error
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got, gotSum, err := fetchSum(addr)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if first == nil {
					first = err
				}
			case gotSum != sum:
				if first == nil {
					first = fmt.Errorf("poem of %d bytes, want %d", got, len(want))
				}
			default:
				ok++
			}
		}()
	}
	close(start)
	wg.Wait()
	return ok, first
}

// fetchSum reads the whole poem from addr, keeping only its size and its
// SHA-256.
func fetchSum(addr string) (int64, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		return 0, sum, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	h := sha256.New()
	n, err := io.CopyBuffer(h, c, make([]byte, 16<<10))
	h.Sum(sum[:0])
	return n, sum, err
}

// poemFile writes data to a temporary file and opens it.
func poemFile(t testing.TB, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "poem.txt")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// bigPoem is n bytes of verse-like text.
func bigPoem(n int) []byte {
	line := []byte("Slow waters turn the mill of the long afternoon, ")
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d ", i)
		b.Write(line)
	}
	return b.Bytes()[:n]
}

// 1,000 simultaneous clients each get the poem intact from each kind of
// server, and each is recorded once as done.
func TestThousandClients(t *testing.T) {
	library, _ := Poem("library")
	orchard, _ := Poem("orchard")
	big := bigPoem(200 << 10)
	for _, tc := range []struct {
		name string
		poem []byte
		make func(r *reactor.Reactor, observe ServerOption) reactor.Factory
	}{
		{"fast", library, func(r *reactor.Reactor, o ServerOption) reactor.Factory {
			return NewFastServerFactory(library, o)
		}},
		{"slow", orchard, func(r *reactor.Reactor, o ServerOption) reactor.Factory {
			return NewSlowServerFactory(r, orchard, 100, 5*time.Millisecond, o)
		}},
		{"file", big, func(r *reactor.Reactor, o ServerOption) reactor.Factory {
			f, err := NewFileServerFactory(poemFile(t, big), o)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 1000
			r := newReactor(t, reactor.DefaultBackend())
			var records []Served
			port := listen(t, r, tc.make(r, WithServeObserver(func(s Served) { records = append(records, s) })))
			var ok int
			var err error
			go func() {
				ok, err = manyClients(n, port.Addr().String(), tc.poem)
				// Stop once every server side has been recorded.
				r.CallFromGoroutine(func() { waitRecords(r, &records, n) })
			}()
			run(t, r)
			if ok != n {
				t.Fatalf("%d of %d poems intact; first problem: %v", ok, n, err)
			}
			if len(records) != n {
				t.Fatalf("%d records for %d clients", len(records), n)
			}
			for _, s := range records {
				if s.Err != nil || s.Bytes != int64(len(tc.poem)) {
					t.Fatalf("record %+v", s)
				}
			}
		})
	}
}

// waitRecords stops r once *records has n entries, checking every
// millisecond (on the loop, so no lock is needed).
func waitRecords(r *reactor.Reactor, records *[]Served, n int) {
	if len(*records) >= n {
		r.Stop()
		return
	}
	r.CallLater(time.Millisecond, func() { waitRecords(r, records, n) })
}

// Clients that misbehave do not stop the server serving others, and each
// is recorded once with what happened: one that reads a little and leaves,
// one that never reads (the server's buffer for it stays bounded: nothing
// on the sendfile path, one chunk on the portable one), one that resets at
// once.
func TestMisbehavingClients(t *testing.T) {
	poem := bigPoem(24 << 20) // more than the socket buffers hold
	for _, noSendfile := range []bool{false, true} {
		t.Run(fmt.Sprintf("noSendfile=%v", noSendfile), func(t *testing.T) {
			r := newReactor(t, reactor.DefaultBackend())
			records := map[string]Served{}
			dup := 0
			opts := []ServerOption{WithServeObserver(func(s Served) {
				if _, seen := records[s.Peer.String()]; seen {
					dup++
				}
				records[s.Peer.String()] = s
			})}
			if noSendfile {
				opts = append(opts, WithoutSendfile())
			}
			f, err := NewFileServerFactory(poemFile(t, poem), opts...)
			if err != nil {
				t.Fatal(err)
			}
			var conns []*reactor.Conn
			port := listen(t, r, reactor.FactoryFunc(func(a net.Addr) reactor.Protocol {
				p := f.BuildProtocol(a)
				conns = append(conns, nil)
				i := len(conns) - 1
				return &capture{Protocol: p, set: func(c *reactor.Conn) { conns[i] = c }}
			}))
			maxBuffered := 0
			var sample func()
			sample = func() {
				for _, c := range conns {
					if c != nil {
						maxBuffered = max(maxBuffered, c.Buffered())
					}
				}
				r.CallLater(2*time.Millisecond, sample)
			}
			r.CallWhenRunning(sample)

			addr := port.Addr().String()
			type result struct {
				name, local string
				err         error
			}
			results := make(chan result, 6)
			dialer := func(name string, body func(c *net.TCPConn) error) {
				c, err := net.DialTimeout("tcp", addr, testTimeout)
				if err != nil {
					results <- result{name, "", err}
					return
				}
				c.SetDeadline(time.Now().Add(testTimeout))
				results <- result{name, c.LocalAddr().String(), body(c.(*net.TCPConn))}
			}
			stalled := make(chan *net.TCPConn, 1)
			go dialer("never reads", func(c *net.TCPConn) error {
				stalled <- c
				return nil
			})
			go dialer("leaves early", func(c *net.TCPConn) error {
				_, err := io.ReadFull(c, make([]byte, 1000))
				c.Close()
				return err
			})
			go dialer("resets", func(c *net.TCPConn) error {
				c.SetLinger(0)
				return c.Close()
			})
			for i := range 3 {
				go dialer(fmt.Sprintf("reader %d", i), func(c *net.TCPConn) error {
					defer c.Close()
					// Hashed as it comes, through one buffer: reading
					// 24 MiB into a growing slice, three times over,
					// is what made this test slow under -race.
					h := sha256.New()
					n, err := io.CopyBuffer(h, c, make([]byte, 64<<10))
					if err == nil && (n != int64(len(poem)) || [sha256.Size]byte(h.Sum(nil)) != sha256.Sum256(poem)) {
						err = fmt.Errorf("poem of %d bytes, not the one served", n)
					}
					return err
				})
			}
			locals := map[string]string{}
			go func() {
				for range 6 {
					res := <-results
					if res.err != nil {
						t.Errorf("%s: %v", res.name, res.err)
					}
					locals[res.name] = res.local
				}
				// The readers are done while the stalled client still
				// holds its connection: now reset it too.
				c := <-stalled
				c.SetLinger(0)
				c.Close()
				r.CallFromGoroutine(func() { waitServed(r, records, 6) })
			}()
			run(t, r)
			if dup != 0 || len(records) != 6 {
				t.Fatalf("%d records (%d duplicates): %v", len(records), dup, records)
			}
			for name, local := range locals {
				s := records[local]
				switch name {
				case "leaves early", "resets", "never reads":
					if !errors.Is(s.Err, reactor.ErrConnectionLost) && !errors.Is(s.Err, ErrClientClosed) {
						t.Errorf("%s: recorded %v", name, s.Outcome())
					}
					// A reset usually reaches the server as ECONNRESET or
					// EPIPE. But when it lands while a sendfile(2) is under
					// way, Linux hands the error to that call, which
					// returns the bytes it had already sent and drops the
					// error; the next read then sees only end of file. So
					// ErrClientClosed is a correct record of a reset too:
					// what matters is that it is not recorded as done.
					if name == "resets" && !errors.Is(s.Err, syscall.ECONNRESET) && !errors.Is(s.Err, syscall.EPIPE) &&
						(noSendfile || !errors.Is(s.Err, ErrClientClosed)) {
						t.Errorf("%s: recorded %v, want a reset", name, s.Outcome())
					}
				default:
					if s.Err != nil || s.Bytes != int64(len(poem)) {
						t.Errorf("%s: recorded %v, %d bytes", name, s.Outcome(), s.Bytes)
					}
				}
			}
			limit := 0
			if noSendfile {
				limit = reactor.DefaultChunkSize
			}
			if maxBuffered > limit {
				t.Errorf("a connection buffered %d bytes, want at most %d", maxBuffered, limit)
			}
		})
	}
}

// capture hands the test each connection of a wrapped protocol.
type capture struct {
	reactor.Protocol
	set func(*reactor.Conn)
}

func (c *capture) MakeConnection(t reactor.Transport) {
	c.set(t.(*reactor.Conn))
	c.Protocol.MakeConnection(t)
}

func waitServed(r *reactor.Reactor, records map[string]Served, n int) {
	if len(records) >= n {
		r.Stop()
		return
	}
	r.CallLater(time.Millisecond, func() { waitServed(r, records, n) })
}

// The fast server's record of a client: its address, the poem's size,
// done.
func TestFastServerRecord(t *testing.T) {
	r := newReactor(t, reactor.DefaultBackend())
	poem, _ := Poem("night-bus")
	var rec Served
	port := listen(t, r, NewFastServerFactory(poem, WithServeObserver(func(s Served) {
		rec = s
		r.Stop()
	})))
	locals := make(chan string, 1)
	go func() {
		c, err := net.DialTimeout("tcp", port.Addr().String(), testTimeout)
		if err != nil {
			locals <- ""
			r.Stop()
			return
		}
		locals <- c.LocalAddr().String()
		io.ReadAll(c)
		c.Close()
	}()
	run(t, r)
	local := <-locals
	if rec.Peer.String() != local || rec.Bytes != int64(len(poem)) || rec.Outcome() != "done" || rec.Start.IsZero() {
		t.Errorf("record %+v (client %s)", rec, local)
	}
}
