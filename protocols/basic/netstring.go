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
// InvalidFrame method.
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
	n.in.feed(data, n)
}

// ResumeProducing delivers the strings held back and reads again.
func (n *NetstringReceiver) ResumeProducing() {
	if n.Transport != nil {
		n.Transport.ResumeProducing()
	}
	n.in.resume(n)
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
		size = size*10 + int(c-'0')
		if size > maxLen {
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
	end := i + 1 + size
	if len(p) <= end {
		return false // the data or the comma is still to come
	}
	if p[end] != ',' {
		n.invalid(fmt.Errorf("basic: netstring of %d bytes ends with %q: %w: want ','", size, p[end], ErrMalformed))
		return false
	}
	s.consume(end + 1)
	n.Handler.StringReceived(p[i+1 : end])
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
		size = size*10 + int(c-'0')
	}
	if size > n.maxLength() {
		return -1
	}
	k := hdr + size + 1 - len(buf)
	if k < 0 || k > len(data) {
		return -1
	}
	return k
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
