package basic

import (
	"fmt"
	"strconv"

	"gyre/reactor"
)

// NetstringReceiver is Twisted's NetstringReceiver: strings framed as
// netstrings, "LEN:DATA," with LEN in decimal (no sign, no leading zero
// except in "0"). Embed it and set Handler. A length over MaxLength is
// refused as soon as its digits show it; a length that is not a number, or
// a missing comma, is malformed (ErrMalformed). Either loses the
// connection, with Err saying what was wrong, unless the handler has an
// InvalidFrame method. Its PauseProducing pauses reading, not writing
// (see the package documentation, "Pausing").
//
// Its fields come from an unexported framer, so go doc does not list
// them: Handler (a StringHandler) receives the strings, MaxLength is the
// longest accepted (0 means DefaultMaxStringLength), and Transport and
// Factory are reactor.BaseProtocol's.
type NetstringReceiver struct {
	stringFramer
	hdr [24]byte
	seq [3][]byte
}

// DataReceived implements reactor.Protocol.
func (n *NetstringReceiver) DataReceived(data []byte) {
	if n.Handler == nil {
		n.invalid(ErrNoHandler)
		return
	}
	n.in.feed(data, n.Transport, n)
}

// ResumeProducing delivers the strings held back and reads again.
func (n *NetstringReceiver) ResumeProducing() {
	if n.Transport != nil {
		n.Transport.ResumeProducing()
	}
	n.in.resume(n.Transport, n)
}

// next delivers one netstring from the front of p.
func (n *NetstringReceiver) next(s *stream, p []byte) bool {
	maxLen := n.maxLength()
	size := 0
	i := 0
	for ; i < len(p) && p[i] != ':'; i++ {
		c := p[i]
		if c < '0' || c > '9' {
			n.invalid(fmt.Errorf("basic: netstring length %s: %w: %q is not a digit", quotePrefix(p, i+1), ErrMalformed, c))
			return false
		}
		if i == 1 && p[0] == '0' {
			n.invalid(fmt.Errorf("basic: netstring length %s: %w: a leading zero", quotePrefix(p, i+1), ErrMalformed))
			return false
		}
		var ok bool
		if size, ok = appendDigit(size, c, maxLen); !ok {
			n.invalid(fmt.Errorf("basic: netstring length %s...: %w (%d)", quotePrefix(p, i+1), ErrFrameTooLong, maxLen))
			return false
		}
	}
	if i == len(p) {
		return false // the length goes on in the next read
	}
	if i == 0 {
		n.invalid(fmt.Errorf("basic: netstring with no length before ':': %w", ErrMalformed))
		return false
	}
	if len(p)-(i+1) <= size {
		return false // the data or the comma is still to come
	}
	end := i + 1 + size // no overflow: less than len(p)
	if p[end] != ',' {
		n.invalid(fmt.Errorf("basic: netstring of %d bytes ends with %q: %w: want ','", size, p[end], ErrMalformed))
		return false
	}
	s.consume(end + 1)
	n.Handler.StringReceived(p[i+1 : end])
	s.closing(n.Transport)
	return true
}

// need returns how many bytes of data end the netstring begun in buf. The
// length may itself go on into data. next has checked the digits in buf.
func (n *NetstringReceiver) need(buf, data []byte) int {
	size, hdr := 0, 0 // the length, and how many bytes of buf+data hold "LEN:"
	for i := 0; ; i++ {
		var c byte
		switch {
		case i < len(buf):
			c = buf[i]
		case i-len(buf) < len(data) && i < 24:
			c = data[i-len(buf)]
		default:
			return -1 // no ':' in sight: let next decide
		}
		if c == ':' {
			hdr = i + 1
			break
		}
		if c < '0' || c > '9' {
			return -1 // next reports it
		}
		var ok bool
		if size, ok = appendDigit(size, c, n.maxLength()); !ok {
			return -1 // next reports it
		}
	}
	// The frame is hdr+size+1 bytes long, buf+data len(buf)+len(data):
	// compared without adding size, which may be close to math.MaxInt.
	if size >= len(buf)+len(data)-hdr {
		return -1
	}
	k := hdr + size + 1 - len(buf)
	if k < 0 {
		return -1
	}
	return k
}

// appendDigit returns size*10 plus the digit c, and false if that would be
// over maxLen. It checks before multiplying: with a MaxLength close to
// math.MaxInt, the digits of a longer length would otherwise wrap around
// to a small or negative size.
func appendDigit(size int, c byte, maxLen int) (int, bool) {
	d := int(c - '0')
	if maxLen < d || size > (maxLen-d)/10 {
		return size, false
	}
	return size*10 + d, true
}

// quotePrefix quotes at most the first n bytes of p, shortened for a log.
func quotePrefix(p []byte, n int) string {
	n = min(n, len(p), 24)
	return strconv.Quote(string(p[:n]))
}

// SendString writes s as one netstring, in one WriteSequence.
func (n *NetstringReceiver) SendString(s []byte) {
	h := strconv.AppendInt(n.hdr[:0], int64(len(s)), 10)
	h = append(h, ':')
	n.seq[0], n.seq[1], n.seq[2] = h, s, comma
	n.Transport.WriteSequence(n.seq[:])
	n.seq[1] = nil
}

var comma = []byte{','}

var (
	_ reactor.Protocol     = (*NetstringReceiver)(nil)
	_ reactor.PushProducer = (*NetstringReceiver)(nil)
)
