package main

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// endless is a server that sends to every client as fast as it can and
// never ends the poem.
func endless(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	chunk := []byte(strings.Repeat("and on, and on, and on, ", 64<<10/24))
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetWriteDeadline(time.Now().Add(30 * time.Second))
				for {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

// --timeout bounds the whole download in every mode, even when the server
// never stops sending (the client is never idle, so a deadline checked
// only while waiting would never be checked); and a positive timeout too
// small for the clock is a timeout, not "never". (--max-bytes 0: loopback
// carries the default bound, 1 GiB, in well under the 2 s.)
func TestGetTimeoutFromStart(t *testing.T) {
	addr := endless(t)
	for _, mode := range []string{"reactor", "async", "blocking"} {
		for _, timeout := range []string{"2", "1e-300"} {
			start := time.Now()
			code, _, stderr := gyre(t, nil, "get", "--mode", mode, "--max-bytes", "0", "--timeout", timeout, addr)
			took := time.Since(start)
			if code != 1 || !strings.Contains(stderr, "timed out after") {
				t.Errorf("%s --timeout %s: status %d, stderr %q", mode, timeout, code, stderr)
			}
			limit := 4500 * time.Millisecond // 2 s, and room for starting gyre on a loaded machine
			if timeout != "2" {
				limit = 2500 * time.Millisecond
			}
			if took > limit {
				t.Errorf("%s --timeout %s: took %v", mode, timeout, took)
			}
			t.Logf("%s --timeout %s: %v", mode, timeout, took)
		}
	}
}

// --max-bytes ends a download that goes on past it, in every mode, even
// with --print into a pipe, which holds each poem until it is whole: the
// task fails, and nothing of it is printed.
func TestGetMaxBytes(t *testing.T) {
	addr := endless(t)
	for _, mode := range []string{"reactor", "async", "blocking"} {
		code, stdout, stderr := gyre(t, nil, "get", "--mode", mode, "--print", "--max-bytes", "100000", addr)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "poem too large: more than 100000 bytes") {
			t.Errorf("%s: status %d, %d bytes printed, stderr %q", mode, code, len(stdout), stderr)
		}
	}
}
