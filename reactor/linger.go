package reactor

import (
	"errors"
	"time"

	"gyre/internal/sock"
)

// A lingering close ends a connection whose peer may still be sending.
//
// Closing a socket while input is waiting in it makes the kernel answer
// with a reset instead of the end of the stream, and so does input that
// arrives after the close; the reset throws away whatever the peer had not
// read yet, and on TCP whatever the closed socket had not sent yet. A
// server that wrote an answer and called LoseConnection would cut its own
// answer short, and the client, which may even see a clean end of file (a
// TCP reset's error is reported once, to whichever of its reads or writes
// comes first), would take the short answer as whole. Dropping the
// waiting input just before close(2) (discardInput) is enough when the
// peer has finished talking, but not while it goes on.
//
// So a connection that has written something, and has heard from its peer
// or finds input waiting at its close, closes in two steps, as web servers
// do: shutdown(SHUT_WR) first, which queues the end of the stream after
// everything written, and then the descriptor stays open, read and its
// input dropped, until the peer ends its side (end of file or an error),
// until lingerLimit bytes have been dropped, or for lingerTime at most;
// only then is it closed. The protocol has been told
// ConnectionLost(ErrConnectionDone) at the shutdown: the lingering
// descriptor is the loop's, not the connection's.
//
// A connection that never heard from its peer (a poetry server's whole
// life: accept, write, close) closes at once: lingering costs a
// registration, a wake-up and a read, and a peer that has said nothing is
// not expected to start talking as it is answered (one that does may
// still get a reset). Neither does a connection whose peer has ended its
// side, nor one that aborts or fails.
//
// They are variables only so that the tests can shorten them.
var (
	lingerTime  = 10 * time.Second
	lingerLimit = maxDiscardOnClose
)

// errLingerLimit ends a lingering close whose peer sent more than
// lingerLimit bytes: it is then closed with its input unread (a reset).
var errLingerLimit = errors.New("reactor: peer still sending after a lingering close")

// lingerer is the descriptor of a connection in its lingering close.
type lingerer struct {
	r     *Reactor
	fd    int
	left  int          // bytes it may still drop
	timer *DelayedCall // ends the linger after lingerTime
}

// lingers reports whether c's close should linger: it ends cleanly (not
// an abort or an error, which close at once), it has written something
// (whose end the close marks: a client that hangs up without having said
// anything has nothing to protect, and its peer is better told at once),
// its peer has not ended its side, and the peer has talked or has left
// input unread.
func (c *Conn) lingers(how ending, unread int, eof bool) bool {
	return how == endDone && !eof && c.flags&fReadClosed == 0 &&
		c.talked&talkedOut != 0 && (c.talked&talkedIn != 0 || unread > 0)
}

// linger starts c's lingering close: the write side is shut and the
// descriptor handed to a lingerer. It reports false if that could not be
// done (the caller then closes the descriptor itself).
func (c *Conn) linger() bool {
	fd := int(c.fd)
	if sock.ShutdownWrite(fd) != nil {
		return false
	}
	l := &lingerer{r: c.r, fd: fd, left: lingerLimit}
	if c.r.AddReader(l) != nil {
		return false
	}
	l.timer = c.r.CallLater(lingerTime, l.expire)
	return true
}

// Fd implements FileDescriptor.
func (l *lingerer) Fd() int { return l.fd }

// LogPrefix implements FileDescriptor.
func (l *lingerer) LogPrefix() string { return "lingering close" }

// DoRead drops one read's worth of input (level-triggered: more comes on
// the next turn), and ends the linger at the peer's end of file, an error,
// or once it has dropped lingerLimit bytes.
func (l *lingerer) DoRead() error {
	n, err := readOnce(l.fd, l.r.scratch.discardBuffer())
	if l.left -= n; l.left <= 0 {
		return errLingerLimit
	}
	return err
}

// ConnectionLost ends the linger: the reactor has removed the descriptor
// because the peer ended its side (nothing more can come: close at once),
// sent too much (it gets the reset: no more reading for it), failed, or
// because the reactor stops.
func (l *lingerer) ConnectionLost(reason error) {
	l.timer.Cancel()
	if errors.Is(reason, ErrConnectionDone) || errors.Is(reason, errLingerLimit) {
		sock.Close(l.fd)
		return
	}
	l.close()
}

// expire ends a linger that has lasted lingerTime.
func (l *lingerer) expire() {
	l.r.RemoveReader(l)
	l.close()
}

// close drops what input waits, so that a peer that has stopped sending
// meanwhile still gets a clean end, and closes the descriptor.
func (l *lingerer) close() {
	discardInput(l.fd, l.r.scratch.discardBuffer())
	sock.Close(l.fd)
}
