package basic

import (
	"bytes"
	"fmt"

	"gyre/reactor"
)

// LineOnlyReceiver is the simpler, faster line framer (Twisted's
// LineOnlyReceiver): lines only, no raw mode, no pausing. Embed it and
// set Handler, as with LineReceiver. A line longer than MaxLength (also
// while no delimiter has come) calls the handler's LineLengthExceeded, or
// records ErrFrameTooLong and loses the connection. A handler that closes
// the connection, through the framer or its transport, gets none of the
// lines after that one (as in Twisted, which checks
// transport.disconnecting; an abort stops them here too).
//
// Its handler must not feed it data from inside LineReceived.
type LineOnlyReceiver struct {
	reactor.BaseProtocol
	// Handler receives the lines.
	Handler LineHandler
	// Delimiter ends a line; empty means DefaultDelimiter.
	Delimiter []byte
	// MaxLength is the longest line accepted; 0 (or less) means
	// DefaultMaxLineLength.
	MaxLength int

	buf  []byte // a partial line kept between reads
	hint int    // buf was searched this far without finding the delimiter
	done bool
	err  error
	send [2][]byte
}

// DataReceived implements reactor.Protocol. Nothing is delivered once the
// transport is closing, as Twisted's checks before the first line too.
func (r *LineOnlyReceiver) DataReceived(data []byte) {
	r.stopIfClosing()
	if r.done {
		return
	}
	if r.Handler == nil {
		r.fail(ErrNoHandler)
		return
	}
	d := r.Delimiter
	if len(d) == 0 {
		d = defaultDelimiter
	}
	maxLen := r.MaxLength
	if maxLen <= 0 {
		maxLen = DefaultMaxLineLength
	}
	from := 0
	if len(r.buf) > 0 {
		// Finish the partial line with the bytes it needs, deliver it,
		// then the rest of the read in place.
		if k := lineNeed(r.buf, data, d); k >= 0 && len(r.buf)+k-len(d) <= maxLen {
			r.buf = append(r.buf, data[:k]...)
			line := r.buf[:len(r.buf)-len(d)]
			r.buf, r.hint = r.buf[:0], 0
			data = data[k:]
			r.Handler.LineReceived(line)
			r.stopIfClosing()
		} else {
			r.buf = append(r.buf, data...)
			data, from = r.buf, r.hint
			// Emptied now, refilled with the rest below: a handler that
			// panics (the reactor recovers) leaves no line to deliver twice.
			r.buf = r.buf[:0]
		}
	}
	for !r.done {
		var i int
		if len(d) == 2 && from == 0 {
			i = bytes.IndexByte(data, d[1]) // as in LineReceiver.next
			if i > 0 && data[i-1] == d[0] {
				i--
			} else {
				i = indexDelim(data, d)
			}
		} else {
			i = indexDelim(data[from:], d)
		}
		if i < 0 {
			break
		}
		i += from
		from = 0
		if i > maxLen {
			// As Twisted's LineOnlyReceiver: the hook gets the line
			// alone, the read's other whole lines are dropped, and its
			// last, partial line is kept.
			rest := lastPiece(data[i+len(d):], d)
			r.tooLong(data[:i], maxLen)
			if !r.done {
				r.keep(rest)
			}
			return
		}
		line := data[:i]
		data = data[i+len(d):]
		r.Handler.LineReceived(line)
		r.stopIfClosing()
	}
	if r.done {
		r.buf = r.buf[:0]
		return
	}
	if overLong(data, d, maxLen) { // see LineReceiver.next
		r.tooLong(data, maxLen)
		return
	}
	r.keep(data)
}

// stopIfClosing delivers nothing more once the transport is going away
// (see stream.closing): Twisted's LineOnlyReceiver checks
// transport.disconnecting before each line. One interface call per line
// and per read, no allocation.
func (r *LineOnlyReceiver) stopIfClosing() {
	if r.Transport != nil && r.Transport.Disconnecting() {
		r.done = true
	}
}

// lastPiece returns what follows the last delimiter of p, found as the
// split into lines finds them: left to right, each search starting after
// the delimiter before. bytes.LastIndex would differ for a delimiter that
// overlaps itself ("\r\n\r\n", "abab"): in "\r\n\r\n\r\nY" the lines end
// at the first four bytes, leaving "\r\nY", where the last occurrence
// leaves "Y".
func lastPiece(p, d []byte) []byte {
	for {
		j := indexDelim(p, d)
		if j < 0 {
			return p
		}
		p = p[j+len(d):]
	}
}

// keep makes data, the start of a line, the partial line kept for the next
// read. data may lie in buf itself: append's copy is a memmove, and the
// destination starts at or before the source.
func (r *LineOnlyReceiver) keep(data []byte) {
	d := r.Delimiter
	if len(d) == 0 {
		d = defaultDelimiter
	}
	r.hint = max(0, len(data)-len(d)+1)
	r.buf = append(r.buf[:0], data...)
	if len(r.buf) == 0 && cap(r.buf) > keepCap {
		r.buf = nil
	}
}

func (r *LineOnlyReceiver) tooLong(line []byte, maxLen int) {
	r.buf, r.hint = r.buf[:0], 0
	if h, ok := r.Handler.(LengthHandler); ok {
		h.LineLengthExceeded(line)
		return
	}
	r.fail(fmt.Errorf("basic: line of at least %d bytes: %w (%d)", len(line), ErrFrameTooLong, maxLen))
}

func (r *LineOnlyReceiver) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.LoseConnection()
}

// Err returns why the framer lost the connection, or nil.
func (r *LineOnlyReceiver) Err() error { return r.err }

// SendLine writes line and the delimiter, in one WriteSequence.
func (r *LineOnlyReceiver) SendLine(line []byte) {
	d := r.Delimiter
	if len(d) == 0 {
		d = defaultDelimiter
	}
	r.send[0], r.send[1] = line, d
	r.Transport.WriteSequence(r.send[:])
	r.send[0] = nil
}

// LoseConnection delivers nothing more, even the lines left in the current
// read, and loses the connection.
func (r *LineOnlyReceiver) LoseConnection() {
	r.done = true
	if r.Transport != nil {
		r.Transport.LoseConnection()
	}
}

var _ reactor.Protocol = (*LineOnlyReceiver)(nil)
