package portforward

import (
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"gyre/reactor"
)

// slowTarget is a listener whose accept queue is full, so that a connect
// to it hangs (the kernel drops its SYNs) until open is called: the queue
// is then drained and each connection accepted from then on served. It
// skips the test where the queue cannot be filled. setup, if given, sets
// options on the listening socket before it listens.
func slowTarget(t *testing.T, serve func(c net.Conn), setup ...func(fd int)) (addr string, open func()) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "slow target")
	t.Cleanup(func() { f.Close() })
	for _, set := range setup {
		set(fd)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	var fillers []net.Conn
	for range 3 { // a queue of backlog 0 holds one
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			fillers = append(fillers, c)
		}
	}
	t.Cleanup(func() {
		for _, c := range fillers {
			c.Close()
		}
	})
	if c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond); err == nil {
		c.Close()
		t.Skip("the accept queue could not be filled")
	}
	open = func() {
		ln, err := net.FileListener(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		for _, c := range fillers {
			c.Close()
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					c.SetDeadline(time.Now().Add(testTimeout))
					serve(c)
				}()
			}
		}()
	}
	return addr, open
}

// A client that resets its connection while the target has not answered
// ends the relay at once: the attempt is abandoned. The client's
// connection was paused until the target answered, so its reset went
// unseen until the connect timed out (30 s), holding two descriptors.
func TestClientResetWhileConnecting(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) { clientResetWhileConnecting(t, backend) })
	}
}

func clientResetWhileConnecting(t *testing.T, backend string) {
	target, _ := slowTarget(t, func(net.Conn) {})
	addr, ended, stop := startRelay(t, backend, target)
	defer stop()
	c := dial(t, addr, 0)
	c.Write([]byte("never mind"))
	time.Sleep(50 * time.Millisecond)
	c.SetLinger(0)
	c.Close()
	select {
	case e := <-ended:
		if e.target != nil || e.err == nil {
			t.Errorf("ended with target %v, err %v; want no target and the abandoned attempt", e.target, e.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the relay had not ended 5s after the client reset")
	}
}

// What the client sends, and its half-close, before the target has
// answered reach the target once it does (here after the kernel's first
// SYN retransmission, about a second), and the answer comes back.
func TestEarlyDataAndHalfCloseArrive(t *testing.T) {
	for _, backend := range reactor.Backends() {
		t.Run(backend, func(t *testing.T) { earlyDataAndHalfCloseArrive(t, backend) })
	}
}

func earlyDataAndHalfCloseArrive(t *testing.T, backend string) {
	request := make([]byte, 3*maxEarly) // more than the relay keeps: it pauses
	for i := range request {
		request[i] = byte(i % 251)
	}
	target, open := slowTarget(t, func(c net.Conn) {
		got, err := io.ReadAll(c)
		if err != nil || len(got) == 0 {
			return // a filler
		}
		c.Write([]byte("got " + strconv.Itoa(len(got)) + " bytes, " + strconv.FormatBool(string(got) == string(request))))
	})
	addr, ended, stop := startRelay(t, backend, target)
	defer stop()
	c := dial(t, addr, 0)
	go func() {
		c.Write(request)
		c.CloseWrite()
	}()
	time.Sleep(200 * time.Millisecond)
	open()
	answer, err := io.ReadAll(c)
	if want := "got " + strconv.Itoa(len(request)) + " bytes, true"; err != nil || string(answer) != want {
		t.Errorf("answer %q, %v; want %q", answer, err, want)
	}
	e := waitEnded(t, ended)
	if e.err != nil || e.server.Relayed != int64(len(request)) {
		t.Errorf("ended with %v, %d bytes relayed from the client", e.err, e.server.Relayed)
	}
}
