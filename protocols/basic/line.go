package basic

import (
	"bytes"
	"fmt"

	"gyre/reactor"
)

// DefaultDelimiter ends a line unless a framer is given another one.
const DefaultDelimiter = "\r\n"

// DefaultMaxLineLength is the longest line a line framer accepts when its
// MaxLength is 0 (Twisted's LineReceiver.MAX_LENGTH).
const DefaultMaxLineLength = 16384

// LineHandler receives the lines of a LineReceiver or LineOnlyReceiver.
// line excludes the delimiter and is valid only during the call.
//
// A handler may also have these methods, found by type assertion:
//
//	RawDataReceived(data []byte)   // LineReceiver in raw mode (RawDataHandler)
//	LineLengthExceeded(line []byte) // a line over MaxLength (LengthHandler)
type LineHandler interface {
	LineReceived(line []byte)
}

// RawDataHandler is a LineHandler that takes raw data: a LineReceiver
// in raw mode hands it everything it receives, as it comes.
type RawDataHandler interface {
	RawDataReceived(data []byte)
}

// LengthHandler replaces what a line framer does with a line longer than
// MaxLength (by default: record ErrFrameTooLong and lose the connection).
// line is valid only during the call. LineReceiver hands over what it
// dropped: the line as received so far and, if its delimiter had come,
// everything received after it (as Twisted's does, whatever the reads'
// boundaries). LineOnlyReceiver hands over the line alone, and drops the
// other whole lines of that read but keeps its last, partial one (as
// Twisted's LineOnlyReceiver does).
type LengthHandler interface {
	LineLengthExceeded(line []byte)
}

// LineReceiver is Twisted's LineReceiver: a protocol that splits its input
// into lines and hands each to Handler.LineReceived, with a raw mode for
// protocols that mix lines and bodies, and pausing. Embed it and set
// Handler (see the package documentation); the zero value splits on
// "\r\n" with a MaxLength of 16,384.
//
//   - SetRawMode inside LineReceived hands the rest of the same read, and
//     everything after, to RawDataReceived; SetLineMode(extra) goes back,
//     extra (the part of the raw data that belongs to the lines) first.
//   - PauseProducing stops the delivery at once, even of lines already
//     received (and stops reading from the socket); ResumeProducing
//     delivers them and reads again. They pace reading only: a protocol
//     that wants its own writes paced registers a separate producer
//     value (see the package documentation, "Pausing").
//   - A line longer than MaxLength is refused before its delimiter comes,
//     once MaxLength+len(Delimiter) bytes have come without one (the last
//     of them might have begun a delimiter): LineLengthExceeded.
//   - Closing the connection from a handler, by the framer's
//     LoseConnection or the transport's (LoseConnection, AbortConnection,
//     StopProducing: whatever makes Transport.Disconnecting true), stops
//     the lines left in the current read, as Twisted's checks
//     transport.disconnecting after each line. Twisted's does not check
//     after raw data, nor after an abort (abortConnection leaves
//     disconnecting false); this one stops after both.
//   - Closing it from outside any handler (a timer, a policy such as
//     IdleTimeout, a relay's other side) while paused drops the lines
//     held back: ResumeProducing, which the reactor still calls as a
//     closing connection's buffer drains, delivers none of them, and
//     neither DataReceived nor SetLineMode delivers anything more.
//     Twisted's resumeProducing hands over one more line there.
type LineReceiver struct {
	reactor.BaseProtocol
	// Handler receives the lines (and raw data in raw mode).
	Handler LineHandler
	// Delimiter ends a line; empty means DefaultDelimiter. Set it before
	// data arrives.
	Delimiter []byte
	// MaxLength is the longest line accepted, delimiter excluded; 0 (or
	// less) means DefaultMaxLineLength.
	MaxLength int

	in   stream
	raw  bool
	err  error
	send [2][]byte
}

var defaultDelimiter = []byte(DefaultDelimiter)

func (r *LineReceiver) delim() []byte {
	if len(r.Delimiter) == 0 {
		return defaultDelimiter
	}
	return r.Delimiter
}

func (r *LineReceiver) maxLength() int {
	if r.MaxLength <= 0 {
		return DefaultMaxLineLength
	}
	return r.MaxLength
}

// DataReceived implements reactor.Protocol: it delivers every whole line
// (or the raw data) in data and keeps the rest for the next read.
func (r *LineReceiver) DataReceived(data []byte) {
	if r.Handler == nil {
		r.fail(ErrNoHandler)
		return
	}
	r.in.feed(data, r.Transport, r)
}

// next delivers the lines at the front of p, or the raw data. It goes on
// by itself from line to line (the hot loop) while nothing a callback may
// change (pause, stop, mode, the input itself) has changed.
func (r *LineReceiver) next(s *stream, p []byte) bool {
	if r.raw {
		s.consume(len(p))
		if h, ok := r.Handler.(RawDataHandler); ok {
			h.RawDataReceived(p)
			s.closing(r.Transport)
		} else {
			r.fail(fmt.Errorf("basic: raw mode but %T has no RawDataReceived", r.Handler))
		}
		return true
	}
	d, maxLen, h := r.delim(), r.maxLength(), r.Handler
	gen := s.gen
	for {
		var i int
		if len(d) == 2 && s.hint == 0 {
			// "\r\n" and the like, inline: the hot path.
			i = bytes.IndexByte(p, d[1])
			if i > 0 && p[i-1] == d[0] {
				i--
			} else {
				i = indexDelim(p, d)
			}
		} else {
			i = indexDelim(p[s.hint:], d)
		}
		if i < 0 {
			// The last len(d)-1 bytes may be the start of a delimiter:
			// only beyond them is the line known to be too long.
			if overLong(p, d, maxLen) {
				s.consume(len(p))
				r.tooLong(p)
				return false
			}
			s.hint = max(0, len(p)-len(d)+1)
			return false
		}
		i += s.hint
		if i > maxLen {
			s.consume(len(p))
			r.tooLong(s.dropTail(p))
			return false
		}
		s.consume(i + len(d))
		h.LineReceived(p[:i])
		if s.closing(r.Transport) || s.paused || r.raw || s.gen != gen || s.pos == len(s.cur) {
			return true // the loop in run looks at what changed
		}
		p = s.cur[s.pos:]
	}
}

// overLong reports whether p, which holds no delimiter, is already too
// long a line: MaxLength bytes and a delimiter's length more. Written
// without adding to maxLen, which may be math.MaxInt ("no limit").
func overLong(p, d []byte, maxLen int) bool {
	return len(p)-len(d) >= maxLen
}

// indexDelim is bytes.Index for a delimiter, with the common short ones
// searched by their last byte, the fastest scan there is.
func indexDelim(p, d []byte) int {
	switch len(d) {
	case 1:
		return bytes.IndexByte(p, d[0])
	case 2:
		for off := 1; off < len(p); {
			i := bytes.IndexByte(p[off:], d[1])
			if i < 0 {
				return -1
			}
			if p[off+i-1] == d[0] {
				return off + i - 1
			}
			off += i + 1
		}
		return -1
	}
	return bytes.Index(p, d)
}

// need finds the end of the partial line in buf within data.
func (r *LineReceiver) need(buf, data []byte) int {
	if r.raw {
		return -1
	}
	return lineNeed(buf, data, r.delim())
}

// lineNeed returns how many bytes of data end the partial line buf (which
// holds no delimiter): up to and including the first delimiter, which may
// begin in buf. -1 if data has none.
func lineNeed(buf, data, d []byte) int {
	for j := min(len(d)-1, len(buf)); j > 0; j-- {
		if bytes.HasSuffix(buf, d[:j]) && bytes.HasPrefix(data, d[j:]) {
			return len(d) - j
		}
	}
	if i := bytes.Index(data, d); i >= 0 {
		return i + len(d)
	}
	return -1
}

// tooLong hands an over-long line to the handler's LineLengthExceeded, or
// records the error and loses the connection. The input received so far
// has been dropped.
func (r *LineReceiver) tooLong(line []byte) {
	if h, ok := r.Handler.(LengthHandler); ok {
		h.LineLengthExceeded(line)
		return
	}
	r.fail(fmt.Errorf("basic: line of at least %d bytes: %w (%d)", len(line), ErrFrameTooLong, r.maxLength()))
}

// fail records err, stops the delivery and loses the connection.
func (r *LineReceiver) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.LoseConnection()
}

// Err returns why the framer lost the connection (a line too long, a
// missing handler), or nil.
func (r *LineReceiver) Err() error { return r.err }

// SetRawMode hands everything received from now on, including the rest
// of the current read, to the handler's RawDataReceived.
func (r *LineReceiver) SetRawMode() { r.raw = true }

// SetLineMode goes back to lines. extra, if any, is received first, as if
// it had come before whatever has not been delivered yet: a handler in
// raw mode passes the part of its data that belongs to the lines.
//
// Called from RawDataReceived with the end of the data it was given (the
// usual case, data[n:]), extra is not copied: the framer reads it again
// where it lies once the handler returns, so the handler must not change
// those bytes before returning (clear(data) to wipe a secret body would
// wipe the lines after it too). Any other extra is copied at once.
func (r *LineReceiver) SetLineMode(extra []byte) {
	r.raw = false
	if len(extra) == 0 {
		return
	}
	r.in.prepend(extra, r.Transport, r)
}

// RawMode reports whether the framer is in raw mode.
func (r *LineReceiver) RawMode() bool { return r.raw }

// ClearLineBuffer drops and returns whatever has been received and not
// delivered yet (valid until the framer next receives data).
func (r *LineReceiver) ClearLineBuffer() []byte { return r.in.take() }

// Buffered returns how many received bytes wait undelivered (a partial
// line, or lines held back while paused).
func (r *LineReceiver) Buffered() int { return r.in.pending() }

// SendLine writes line and the delimiter, in one WriteSequence.
func (r *LineReceiver) SendLine(line []byte) {
	r.send[0], r.send[1] = line, r.delim()
	r.Transport.WriteSequence(r.send[:])
	r.send[0] = nil
}

// PauseProducing stops delivering lines at once, even those already
// received, and stops reading from the transport. With ResumeProducing and
// StopProducing, it makes the framer a push producer of its input: a relay
// can pace the lines by another connection's buffer. It does not pause
// the protocol's writes, so the protocol is not the producer to register
// on its own connection (see the package documentation, "Pausing").
func (r *LineReceiver) PauseProducing() {
	r.in.paused = true
	if r.Transport != nil {
		r.Transport.PauseProducing()
	}
}

// ResumeProducing delivers the lines held back and reads again.
func (r *LineReceiver) ResumeProducing() {
	if r.Transport != nil {
		r.Transport.ResumeProducing()
	}
	r.in.resume(r.Transport, r)
}

// StopProducing delivers nothing more and loses the connection.
func (r *LineReceiver) StopProducing() { r.LoseConnection() }

// Paused reports whether the delivery is paused.
func (r *LineReceiver) Paused() bool { return r.in.paused }

// LoseConnection delivers nothing more, even the lines left in the current
// read, and loses the connection.
func (r *LineReceiver) LoseConnection() {
	r.in.done = true
	if r.Transport != nil {
		r.Transport.LoseConnection()
	}
}

var (
	_ reactor.Protocol     = (*LineReceiver)(nil)
	_ reactor.PushProducer = (*LineReceiver)(nil)
)
