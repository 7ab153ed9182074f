package poetrytest

import (
	"bufio"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// waitRead waits until the client of conn, a loopback TCP connection, has
// read everything conn sent it, at most readWait, or until done is closed.
// /proc/net/tcp shows both ends: the server's send queue empty (the
// client's system has it all) and the client's receive queue empty (the
// client has read it). A client that has read has seen its connection
// made; one reset before then, still connecting, would take the reset for
// a failure to connect. When neither end is found (the client is gone),
// it returns at once.
func waitRead(conn net.Conn, done <-chan struct{}) {
	server, client := port(conn.LocalAddr()), port(conn.RemoteAddr())
	deadline := time.Now().Add(readWait)
	for {
		unsent, unread, ok := queues(server, client)
		if !ok || unsent == 0 && unread == 0 || time.Now().After(deadline) {
			return
		}
		select {
		case <-time.After(5 * time.Millisecond): // polling another process's socket, bounded
		case <-done:
			return
		}
	}
}

// port is a TCP address's port.
func port(a net.Addr) int {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.Port
	}
	return -1
}

// queues reads /proc/net/tcp for the loopback connection between ports
// server and client: the server's send queue and the client's receive
// queue, and whether both ends were found.
func queues(server, client int) (unsent, unread int64, ok bool) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	var foundServer, foundClient bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		local, remote := addrPort(fields[1]), addrPort(fields[2])
		tx, rx, _ := strings.Cut(fields[4], ":")
		switch {
		case local == server && remote == client:
			unsent, _ = strconv.ParseInt(tx, 16, 64)
			foundServer = true
		case local == client && remote == server:
			unread, _ = strconv.ParseInt(rx, 16, 64)
			foundClient = true
		}
	}
	return unsent, unread, foundServer && foundClient
}

// addrPort is the port of an address of /proc/net/tcp, "0100007F:1F91".
func addrPort(s string) int {
	_, hex, ok := strings.Cut(s, ":")
	if !ok {
		return -1
	}
	p, err := strconv.ParseInt(hex, 16, 32)
	if err != nil {
		return -1
	}
	return int(p)
}
