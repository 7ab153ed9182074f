package fetch_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"gyre/internal/fetch"
	"gyre/internal/progtest"
	"gyre/poetry"
)

// TestAsyncBeyondSelectLimitNeverConnects: a task whose socket select()
// cannot watch fails with ErrSelectLimit without connecting, so the server
// sees exactly one connection per poem delivered. The listener counts the
// connections made before a sentinel connection dialled after Fetch: the
// accept queue is FIFO, so everything the client connected comes first.
// The process holds a thousand other descriptors first, as a program with
// many files open would: the async mode keeps its own sockets below
// FD_SETSIZE by running fewer tasks at once, so only those can push them
// past it.
func TestAsyncBeyondSelectLimitNeverConnects(t *testing.T) {
	const tasks = 100
	for range 1000 {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Skipf("cannot hold a thousand descriptors: %v", err)
		}
		defer f.Close()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	poem := []byte("a short poem\n")
	// Every accepted connection's peer, in order; room for all of them so
	// that the server never waits on the test.
	accepted := make(chan string, tasks+1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write(poem)
			c.Close()
			accepted <- c.RemoteAddr().String()
		}
	}()
	addrs := repeatAddr(ln, tasks)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	results, err := fetch.Fetch(ctx, fetch.Async, addrs)
	if err != nil {
		t.Fatal(err)
	}
	ok, limited := 0, 0
	for _, r := range results {
		switch {
		case r.Err == nil:
			ok++
		case errors.Is(r.Err, fetch.ErrSelectLimit):
			limited++
		default:
			t.Errorf("task %d: unexpected error %v", r.Task, r.Err)
		}
	}
	if limited == 0 {
		t.Skipf("no descriptor reached FD_SETSIZE (open-file limit too low?): %d poems", ok)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sentinel := c.LocalAddr().String()
	timeout := time.After(10 * time.Second)
	for n := 0; ; n++ {
		select {
		case peer := <-accepted:
			if peer != sentinel {
				continue
			}
			if n != ok {
				t.Errorf("the server accepted %d connections for %d poems (%d tasks past the select limit): the client connected sockets it could not watch", n, ok, limited)
			}
			return
		case <-timeout:
			t.Fatal("the server never saw the sentinel connection")
		}
	}
}

// More downloads than select() can watch at once all succeed in the async
// mode, as in the reactor mode: those beyond wait for a socket to be free.
// Past about a thousand, they failed with ErrSelectLimit.
func TestAsyncManyTasksWait(t *testing.T) {
	const tasks = 1100
	ln := progtest.ServeEach(t, func(c net.Conn) {
		c.Write([]byte("a short poem\n"))
		c.Close()
	})
	addrs := repeatAddr(ln, tasks)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	results, err := fetch.Fetch(ctx, fetch.Async, addrs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("task %d: %v", r.Task, r.Err)
		}
	}
}

// The reactor mode on the select backend (GYRE_REACTOR=select) runs as
// many downloads at once as that backend can watch, like the async mode:
// more than about a thousand at once, the sockets past FD_SETSIZE failed
// their tasks ("the backend cannot watch this descriptor"), each with an
// error in the reactor's log.
func TestReactorOnSelectManyTasksWait(t *testing.T) {
	const tasks = 1100
	t.Setenv("GYRE_REACTOR", "select")
	ln := progtest.ServeEach(t, func(c net.Conn) {
		c.Write([]byte("a short poem\n"))
		c.Close()
	})
	addrs := repeatAddr(ln, tasks)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	results, err := fetch.Fetch(ctx, fetch.Reactor, addrs, fetch.WithoutPoems())
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			if failed == 0 {
				t.Errorf("task %d: %v", r.Task, r.Err)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d tasks failed", failed, tasks)
	}
}

// repeatAddr is n tasks, all for the server listening on ln.
func repeatAddr(ln net.Listener, n int) []poetry.Address {
	addrs := make([]poetry.Address, n)
	for i := range addrs {
		addrs[i] = poetry.Address{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	}
	return addrs
}
