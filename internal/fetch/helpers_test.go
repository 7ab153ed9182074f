package fetch_test

import (
	"net"
	"sync"
	"testing"
	"time"

	"gyre/poetry"
	"gyre/reactor"
)

// serveSlow runs slow poetry servers for poems on a reactor of their own,
// each on a loopback port the system picks, until the test ends.
func serveSlow(t *testing.T, numBytes int, delay time.Duration, poems ...[]byte) []poetry.Address {
	t.Helper()
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	var addrs []poetry.Address
	for _, poem := range poems {
		f := poetry.NewSlowServerFactory(r, poem, numBytes, delay)
		port, err := r.ListenTCP("127.0.0.1:0", f)
		if err != nil {
			r.Close()
			t.Fatal(err)
		}
		addrs = append(addrs, poetry.Address{Host: "127.0.0.1", Port: port.Addr().(*net.TCPAddr).Port})
	}
	go r.Run()
	t.Cleanup(func() {
		r.Stop()
		select {
		case <-r.Done():
		case <-time.After(5 * time.Second):
			t.Error("server reactor did not stop")
		}
	})
	return addrs
}

// silentServer accepts connections and never sends anything. The channel
// receives a value for each connection accepted.
func silentServer(t *testing.T) (poetry.Address, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	accepted := make(chan struct{}, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			accepted <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return poetry.Address{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}, accepted
}

// refusedAddr is a loopback address where nothing listens: a port the
// system just gave out and took back.
func refusedAddr(t *testing.T) poetry.Address {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return poetry.Address{Host: "127.0.0.1", Port: port}
}

func mustPoem(t *testing.T, name string) []byte {
	t.Helper()
	p, err := poetry.Poem(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
