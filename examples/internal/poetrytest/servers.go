package poetrytest

import (
	"net"
	"sync"
	"testing"
	"time"
)

// staggerStep is how far apart StartStaggeredServers' poems finish, when
// they are fetched at the same moment: small enough to keep a test run
// short. It alone does not set their order (see StartStaggeredServers).
const staggerStep = 80 * time.Millisecond

// StartStaggeredServers starts one slow server per poem, paced so that
// poems fetched at the same moment finish in the order given, about 80 ms
// apart: poems[0] is sent whole at once, poems[k] in 10×k sends with a
// pause of 8 ms after each. Clients that print poems in the order they
// finish can then be checked against a fixed expectation, and the later
// poems arrive in many pieces, interleaved with each other.
//
// The pace alone left the order to the machine's load: on a loaded
// machine a poem could be sent late, or a client stall while two poems
// ended, and see them end in the other order. So server k holds a poem's
// last piece until server k-1 has no connection open, and a connection
// ends only when its client has closed it, having seen the poem's end: a
// client whose connection to server k-1 is made by then (the pace leaves
// 80 ms for that) sees poems[k-1] end before poems[k]. The wait is
// bounded (afterWait), for a client that keeps a finished poem's socket
// open.
func StartStaggeredServers(t testing.TB, poems ...[]byte) []*SlowServer {
	t.Helper()
	servers := make([]*SlowServer, len(poems))
	for k := range poems {
		servers[k] = listenSlow(t)
		if k > 0 {
			servers[k].after = servers[k-1]
			servers[k-1].awaitClose = true
		}
	}
	for k, poem := range poems {
		if k == 0 {
			servers[k].start(t, poem, len(poem), 0)
			continue
		}
		sends := 10 * k
		numBytes := max((len(poem)+sends-1)/sends, 1)
		servers[k].start(t, poem, numBytes, staggerStep/10)
	}
	return servers
}

// resetAfter is how long StartResettingServer's connections live once
// their client has read the first bytes.
const resetAfter = 50 * time.Millisecond

// readWait bounds how long StartResettingServer waits for its client to
// read the first bytes.
const readWait = 10 * time.Second

// StartSilentServer accepts connections and keeps them open without ever
// sending a byte, until the test ends: the server a client's timeout is
// for. It returns the address, "127.0.0.1:PORT".
func StartSilentServer(t testing.TB) string {
	t.Helper()
	return StartHoldingServer(t, "")
}

// StartHoldingServer accepts connections, sends first (the start of a
// poem), and then keeps them open, sending nothing more, until the test
// ends: a download that never finishes, to interrupt. It returns the
// address, "127.0.0.1:PORT".
func StartHoldingServer(t testing.TB, first string) string {
	t.Helper()
	return startServer(t, func(conn net.Conn, done <-chan struct{}) {
		if first != "" {
			conn.Write([]byte(first))
		}
		<-done
		conn.Close()
	})
}

// StartResettingServer accepts connections, sends first, and 50 ms after
// the client has read it (on Linux; elsewhere, 50 ms after sending it)
// resets the connection (an RST, not the FIN of a normal end), which a
// client must report as a failure rather than take for the end of a poem.
// The wait makes the break come in the middle of the poem, after the
// client has seen the connection made and the first bytes arrive, rather
// than while it is still connecting, which it reports as a failure to
// connect: a pause alone was too short for a client kept from running on
// a loaded machine. It returns the address, "127.0.0.1:PORT".
func StartResettingServer(t testing.TB, first string) string {
	t.Helper()
	return startServer(t, func(conn net.Conn, done <-chan struct{}) {
		conn.Write([]byte(first))
		waitRead(conn, done)
		select {
		case <-time.After(resetAfter):
		case <-done:
		}
		conn.(*net.TCPConn).SetLinger(0) // close with a reset
		conn.Close()
	})
}

// startServer listens on a loopback port the system picks and runs handle
// on a goroutine of its own for each connection. When the test ends the
// listener is closed, then done, and handle's goroutines are waited for.
// It returns the address, "127.0.0.1:PORT".
func startServer(t testing.TB, handle func(conn net.Conn, done <-chan struct{})) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed at the end of the test
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(conn, done)
			}()
		}
	}()
	return ln.Addr().String()
}
