package uring

import "golang.org/x/sys/unix"

// opNop is IORING_OP_NOP: a request that does nothing, used to see
// whether the one linked before it failed.
const opNop = 0

// ShortSendBreaksLink reports whether this kernel fails a link when a
// send asked for MSG_WAITALL sends only part of its bytes, so that what
// is linked after it (a close) is cancelled. Current kernels do; older
// ones, whose io_uring sends ignored MSG_WAITALL, counted a short send as
// a success, and a close linked after it would end the stream with bytes
// still unsent: a poem cut short behind a clean end of file. The reactor
// links a close after a send only where this reports true.
//
// It asks the kernel directly, on the ring (call it before anything else
// is queued): a send of more than a small socket buffer takes, linked to
// a no-op, on a socket pair of its own.
func (r *Ring) ShortSendBreaksLink() bool {
	if r.Space() < 2 {
		return false
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	// The smallest buffer the kernel grants is a few KiB: probeSend
	// cannot fit, so the send is short.
	unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	p := make([]byte, probeSend)
	r.PrepSend(fds[0], p, unix.MSG_DONTWAIT|unix.MSG_WAITALL|unix.MSG_NOSIGNAL, 1)
	r.Link(false)
	r.prepNop(2)
	if r.Submit() != nil {
		return false
	}
	var sent, nop int32
	for tag, res, ok := r.Next(); ok; tag, res, ok = r.Next() {
		if tag == 1 {
			sent = res
		} else {
			nop = res
		}
	}
	return linkBroken(sent, nop, probeSend)
}

// prepNop queues a request that does nothing, tagged tag (room for it
// checked by the caller).
func (r *Ring) prepNop(tag uint64) { *r.next() = sqe{opcode: opNop, userData: tag} }

// probeSend is the size of ShortSendBreaksLink's send.
const probeSend = 256 << 10

// linkBroken reads the probe's two results: a send that took part of
// asked bytes, and the no-op linked after it. Only a short send followed
// by a cancelled no-op says yes; a send that failed or took everything
// says nothing, and is taken as no.
func linkBroken(sent, nop int32, asked int) bool {
	return sent > 0 && int(sent) < asked && nop == -int32(unix.ECANCELED)
}
