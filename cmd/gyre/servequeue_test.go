package main

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"gyre/poetry"
	"gyre/reactor"
)

// With --max-conns shared by several loops, another loop can fill the
// limit: a Unix socket's connection accepted then is served all the same
// (it cannot be refused), the socket stops accepting, and the loop looks
// again until a place is free; the client waiting meanwhile is served
// then, whole.
func TestQueueUnderASharedLimit(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "gyre.sock")
	e, err := reactor.ParseServerEndpoint("unix:" + sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := newLibraryServer(t, serveConfig{listens: []reactor.ServerEndpoint{e}, loops: 1, maxConns: 1, grace: time.Second, slow: true, numBytes: 1000, delay: 100 * time.Millisecond})
	l := srv.loops[0]
	others := new(atomic.Int64) // the connections of the other loops
	l.gate.shared = others
	others.Store(1) // another loop holds the only place
	srv.start()
	defer func() {
		srv.drain()
		<-srv.done()
		srv.finish()
	}()
	want, _ := poetry.Poem("library")
	fetch := func(done chan<- []byte) {
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		done <- b
	}
	first, second := make(chan []byte, 1), make(chan []byte, 1)
	go fetch(first)
	if got := <-first; !bytes.Equal(got, want) {
		t.Fatalf("the connection taken beyond the shared limit got %d bytes, want the whole poem", len(got))
	}
	go fetch(second)
	select {
	case got := <-second:
		t.Fatalf("a client was served (%d bytes) while another loop held the only place", len(got))
	case <-time.After(300 * time.Millisecond): // it waits in the listen queue
	}
	others.Store(0) // the other loop's poem ends: this loop hears of it by looking again
	select {
	case got := <-second:
		if !bytes.Equal(got, want) {
			t.Errorf("the client that waited got %d bytes, want the whole poem", len(got))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the client that waited was never accepted once a place was free")
	}
}
