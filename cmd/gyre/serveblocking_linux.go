package main

import (
	"net"

	"golang.org/x/sys/unix"
)

// acknowledged reports whether the peer's system has acknowledged all
// that was written on conn and its end of stream (SIOCOUTQ counts the
// bytes not yet sent and those sent but not yet acknowledged; the end of
// stream takes one sequence number, so the count of a shut socket is 0
// only once that too is acknowledged), and whether the system could say.
func acknowledged(conn *net.TCPConn) (acked, known bool) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return false, false
	}
	outq, qerr := 0, error(unix.ENOTCONN)
	if err := rc.Control(func(fd uintptr) {
		outq, qerr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
	}); err != nil || qerr != nil {
		return false, false
	}
	return outq == 0, true
}
