package faultsuite

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Clients are plain sockets of the test process: nothing of gyre's is on
// that side, so that a bug in the reactor cannot hide itself.

// fetchResult is what one client got.
type fetchResult struct {
	sum     [32]byte
	n       int64
	elapsed time.Duration
	err     error
}

// fetch downloads one poem: connect, read to the end, digest.
func fetch(addr string, timeout time.Duration) fetchResult {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return fetchResult{err: err}
	}
	return readPoem(c, start, timeout)
}

// readPoem reads the rest of a poem from c, digests it and closes c.
func readPoem(c net.Conn, start time.Time, timeout time.Duration) fetchResult {
	defer c.Close()
	c.SetDeadline(start.Add(timeout))
	h := sha256.New()
	n, err := io.Copy(h, c)
	r := fetchResult{n: n, err: err, elapsed: time.Since(start)}
	h.Sum(r.sum[:0])
	return r
}

// fetchMany runs n clients at once (they all start together) and returns
// their results.
func fetchMany(addr string, n int, timeout time.Duration) []fetchResult {
	out := make([]fetchResult, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			out[i] = fetch(addr, timeout)
		}()
	}
	close(gate)
	wg.Wait()
	return out
}

// summary checks results against the poem: how many were right, and the
// first few problems.
func summary(results []fetchResult, want []byte) (ok int, problems []string) {
	sum := sha256.Sum256(want)
	bad := 0
	for i, r := range results {
		switch {
		case r.err != nil:
			bad++
			if bad <= 5 {
				problems = append(problems, fmt.Sprintf("client %d: %v (after %d bytes)", i, r.err, r.n))
			}
		case r.sum != sum:
			bad++
			if bad <= 5 {
				problems = append(problems, fmt.Sprintf("client %d: got %d bytes, want %d identical (sha256 differs)", i, r.n, len(want)))
			}
		default:
			ok++
		}
	}
	return ok, problems
}

// dial connects, with a bounded wait.
func dial(addr string) (*net.TCPConn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

// readSome reads until at least n bytes have come (or the deadline).
func readSome(c net.Conn, n int, timeout time.Duration) (int, error) {
	c.SetReadDeadline(time.Now().Add(timeout))
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, 4096)
	got := 0
	for got < n {
		k, err := c.Read(buf)
		got += k
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// reset closes c with SO_LINGER 0: the kernel sends a reset.
func reset(c *net.TCPConn) error {
	if err := c.SetLinger(0); err != nil {
		return err
	}
	return c.Close()
}
