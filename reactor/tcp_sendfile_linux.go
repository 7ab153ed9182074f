package reactor

import (
	"fmt"
	"io"
	"os"

	"gyre/deferred"
	"gyre/internal/sock"
)

// sendfileChunk bounds one sendfile(2) call. The socket takes what fits in
// its buffer anyway; the bound keeps one DoWrite from pushing a whole file
// through a fast reader while other connections wait.
const sendfileChunk = 4 << 20

// transferNotSentLowat is the TCP_NOTSENT_LOWAT of a connection sending a
// file: the socket reports writable, and sendfile(2) queues more, only
// while less than this waits unsent. Without it sendfile fills the whole
// autotuned send buffer (megabytes), and the rest goes out when the peer's
// ACKs arrive, in the kernel context of whoever processes them: on
// loopback, the receiving process's CPU, which then does the sender's
// work as well as its own. A small unsent queue keeps the sending on the
// sender's CPU. On the project's 2-core benchmark machine (64 MiB poem, 4
// connections) it took gyre from 2,800 MB/s to 4,200-4,500 (16-32 KiB did
// best; 256 KiB and more did no better than none).
const transferNotSentLowat = 32 << 10

// trySendfile starts a sendfile(2) transfer of src if src is a regular
// file (or a section of one). ok is false when it is not, and the caller
// takes the portable path.
func (c *Conn) trySendfile(src io.Reader) (d *deferred.Deferred, ok bool) {
	var f *os.File
	var base, limit int64 = 0, -1
	var seeker io.Seeker
	switch s := src.(type) {
	case *os.File:
		f, seeker = s, s
	case *io.SectionReader:
		outer, off, n := s.Outer()
		of, isFile := outer.(*os.File)
		if !isFile {
			return nil, false
		}
		f, seeker, base, limit = of, s, off, off+n
	default:
		return nil, false
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	cur, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, false
	}
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(sysfd uintptr) { fd = int(sysfd) })
	}
	if fd < 0 {
		return nil, false
	}
	if x := c.extra; x != nil && (x.producer != nil || x.xfer != nil) {
		return deferred.Fail(ErrProducerRegistered), true
	}
	if c.flags&fBatched != 0 {
		// What was written before waits in the reactor's batch
		// (WithBatchedIO) and must reach the socket before the file: the
		// file's first bytes go at once, below. (A short send leaves the
		// rest as the connection's buffer, which the transfer waits for.)
		c.r.sendAll()
	}
	if c.flags&fClosed != 0 {
		return deferred.Fail(fmt.Errorf("%w: %w", ErrProducerStopped, c.reason())), true
	}
	end := st.Size()
	if limit >= 0 {
		end = min(end, limit)
	}
	t := &fileTransfer{
		file: f, src: fd, off: base + cur, remain: max(end-(base+cur), 0),
		d: deferred.New(), seeker: seeker, pos0: cur,
	}
	// Keep little of the file queued unsent in the socket (see
	// transferNotSentLowat); a failure only loses the tuning.
	sock.SetNotSentLowat(int(c.fd), transferNotSentLowat)
	x := c.needExtra()
	x.xfer = t
	c.talked |= talkedOut
	if x.woff == len(x.wbuf) {
		if err := c.continueTransfer(); err != nil {
			// A reset, as a failure at a later writability gives (the
			// dispatch's ConnectionLost aborts): a plain close would end
			// the stream cleanly, and the peer would take what it got
			// (nothing, or the file's start) for the whole file.
			sock.SetAbortOnClose(int(c.fd))
			c.shut(endError, err)
			if c.flags&fSetup == 0 {
				c.queueLost()
			}
			return t.d, true
		}
	}
	c.sync()
	return t.d, true
}

// continueTransfer sends more of the file, until the socket is full or the
// file is done. It returns an error only when the connection failed.
func (c *Conn) continueTransfer() error {
	t := c.extra.xfer
	for t.remain > 0 {
		want := int(min(t.remain, sendfileChunk))
		n, err := sock.Sendfile(int(c.fd), t.src, &t.off, want)
		if n > 0 {
			t.remain -= int64(n)
			t.sent += int64(n)
			c.writes++ // a file on its way is activity too (WriteCount)
		}
		switch {
		case err == sock.EINTR:
			continue
		case err == sock.EAGAIN:
			return nil
		case err != nil:
			return lostBy(err)
		case n == 0:
			t.remain = 0 // the file ended early (it shrank): done
		case n < want:
			return nil // the socket is full: wait for writability
		}
	}
	c.finishTransfer()
	return nil
}

// finishTransfer ends a completed transfer: what was written meanwhile
// becomes the buffer, the source is moved past the sent bytes, and the
// Deferred fires.
func (c *Conn) finishTransfer() {
	x := c.extra
	t := x.xfer
	x.xfer = nil
	if len(t.tail) > 0 {
		x.wbuf, x.woff = t.tail, 0
	}
	t.seeker.Seek(t.pos0+t.sent, io.SeekStart)
	t.d.Callback(t.sent)
	c.producerDone()
}
