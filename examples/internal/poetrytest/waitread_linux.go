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
// a failure to connect. When either end is not found (the client is gone,
// or reset the connection), it returns at once.
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
// queue, and whether both ends were found. A client's socket may be an
// IPv6 one connected to the server's IPv4 address (::ffff:127.0.0.1), which
// the kernel lists in /proc/net/tcp6, in the same format.
func queues(server, client int) (unsent, unread int64, ok bool) {
	var foundServer, foundClient bool
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue // no IPv6 on this system, say
		}
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
		f.Close()
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
