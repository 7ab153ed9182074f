package reactor

import "golang.org/x/sys/unix"

// The flags of the ring's sends (batch_write.go). sendFlags: never wait
// for room (the loop must not block), and no SIGPIPE from a peer that has
// gone (the send reports EPIPE instead). closingSendFlags, for a send a
// close follows: ask for every byte (MSG_WAITALL: a short send then fails
// the chain, and the close is cancelled), and hold the last partial
// segment back (MSG_MORE) for the close's FIN.
const (
	sendFlags        = unix.MSG_DONTWAIT | unix.MSG_NOSIGNAL
	closingSendFlags = sendFlags | unix.MSG_WAITALL | unix.MSG_MORE
)
