package reactor

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gyre/reactor/internal/poll"
)

// On select, a connection accepted on a descriptor >= FD_SETSIZE cannot be
// watched. The port must not accept it and drop it: it holds it, stops
// accepting (the next connections wait in the listen queue) and serves it,
// moved to a lower descriptor, as soon as one is free.
func TestAcceptPastFDSetSizeWaits(t *testing.T) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil || uint64(lim.Cur) < uint64(poll.FDSetSize)+64 {
		t.Skipf("needs a descriptor limit above %d (have %d)", poll.FDSetSize+64, lim.Cur)
	}
	r, logs := newReactor(t, "select")
	echo := &servers{build: func() *recorder {
		return &recorder{
			onMade: func(p *recorder) { p.Transport.Write([]byte("hi\n")) },
			onData: func(p *recorder, b []byte) { p.Transport.Write(b) },
		}
	}}
	p := listen(t, r, echo)
	addr := p.Addr().String()

	// Take every descriptor below FD_SETSIZE, so that the next accept
	// returns one select cannot watch.
	devnull, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	fillers := []int{devnull}
	freeFillers := func(n int) {
		for ; n > 0 && len(fillers) > 0; n-- {
			unix.Close(fillers[len(fillers)-1])
			fillers = fillers[:len(fillers)-1]
		}
	}
	defer freeFillers(len(fillers) + poll.FDSetSize)
	for {
		fd, err := unix.FcntlInt(uintptr(devnull), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fd >= poll.FDSetSize {
			unix.Close(fd)
			break
		}
		fillers = append(fillers, fd)
	}

	errc := make(chan error, 1)
	go func() { errc <- r.Run() }()
	defer func() {
		r.Stop()
		select {
		case <-errc:
		case <-time.After(testTimeout):
			t.Error("reactor did not stop")
		}
	}()

	const clients = 3
	var conns []net.Conn
	for range clients {
		c, err := net.DialTimeout("tcp", addr, testTimeout)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		conns = append(conns, c)
	}
	if !waitLogged(logs, "backing off") {
		t.Fatalf("the port never backed off; log:\n%s", logs.String())
	}
	// Free a few low descriptors: every client is served, and stays
	// connected (it is watched: the echo answers).
	freeFillers(clients + 2)
	for i, c := range conns {
		rd := bufio.NewReader(c)
		if line, err := rd.ReadString('\n'); line != "hi\n" {
			t.Fatalf("client %d: read %q, %v; want the greeting", i, line, err)
		}
		c.Write([]byte("ping\n"))
		if line, err := rd.ReadString('\n'); line != "ping\n" {
			t.Fatalf("client %d: read %q, %v; want the echo (the connection was dropped?)\nlog:\n%s", i, line, err, logs.String())
		}
	}
	if !waitLogged(logs, "accepting connections again") {
		t.Errorf("recovery not logged; log:\n%s", logs.String())
	}
	if s := logs.String(); strings.Contains(s, "cannot watch connection") || strings.Count(s, "backing off") != 1 {
		t.Errorf("want one back-off record and no dropped connection; log:\n%s", s)
	}
}

// waitLogged waits (bounded) until the reactor's log holds what.
func waitLogged(logs *syncBuffer, what string) bool {
	deadline := time.Now().Add(testTimeout)
	for !strings.Contains(logs.String(), what) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond) // polling another goroutine's log, bounded
	}
	return true
}
