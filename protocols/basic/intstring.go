package basic

import (
	"encoding/binary"
	"fmt"

	"gyre/reactor"
)

// intString is the length-prefixed framer behind Int8StringReceiver,
// Int16StringReceiver and Int32StringReceiver (Twisted's IntNStringReceiver):
// each string is preceded by its length, an unsigned big-endian integer of
// size bytes.
type intString struct {
	stringFramer
	size int
	hdr  [4]byte
	seq  [2][]byte
}

func (f *intString) receive(data []byte, size int) {
	if f.Handler == nil {
		f.invalid(ErrNoHandler)
		return
	}
	f.size = size
	f.in.feed(data, f.Transport, f)
}

func (f *intString) resume(size int) {
	f.size = size
	if f.Transport != nil {
		f.Transport.ResumeProducing()
	}
	f.in.resume(f.Transport, f)
}

// next delivers one string from the front of p.
func (f *intString) next(s *stream, p []byte) bool {
	if len(p) < f.size {
		return false
	}
	var n uint64
	switch f.size {
	case 1:
		n = uint64(p[0])
	case 2:
		n = uint64(binary.BigEndian.Uint16(p))
	default:
		n = uint64(binary.BigEndian.Uint32(p))
	}
	if maxLen := f.maxLength(); n > uint64(maxLen) {
		f.invalid(fmt.Errorf("basic: %d-byte-prefixed string of %d bytes: %w (%d)", f.size, n, ErrFrameTooLong, maxLen))
		return false
	}
	// Compared before adding the prefix's size: on 32 bits, n may be
	// math.MaxInt.
	if uint64(len(p)-f.size) < n {
		return false
	}
	end := f.size + int(n)
	s.consume(end)
	f.Handler.StringReceived(p[f.size:end])
	s.closing(f.Transport)
	return true
}

// need returns how many bytes of data end the string begun in buf.
func (f *intString) need(buf, data []byte) int {
	if len(buf)+len(data) < f.size {
		return -1
	}
	var h [4]byte
	k := copy(h[:f.size], buf)
	copy(h[k:f.size], data)
	var n uint64
	switch f.size {
	case 1:
		n = uint64(h[0])
	case 2:
		n = uint64(binary.BigEndian.Uint16(h[:]))
	default:
		n = uint64(binary.BigEndian.Uint32(h[:]))
	}
	if n > uint64(f.maxLength()) {
		return -1 // next refuses it
	}
	// As in next, n is not added to anything before it is known to fit.
	if have := len(buf) + len(data) - f.size; uint64(have) < n {
		return -1
	}
	return f.size + int(n) - len(buf)
}

// send writes the prefix and s in one WriteSequence; a string too long for
// the prefix is refused.
func (f *intString) send(s []byte, size int) error {
	if limit := uint64(1)<<(8*size) - 1; uint64(len(s)) > limit {
		return fmt.Errorf("basic: %d bytes do not fit a %d-byte length prefix: %w", len(s), size, ErrFrameTooLong)
	}
	switch size {
	case 1:
		f.hdr[0] = byte(len(s))
	case 2:
		binary.BigEndian.PutUint16(f.hdr[:], uint16(len(s)))
	default:
		binary.BigEndian.PutUint32(f.hdr[:], uint32(len(s)))
	}
	f.seq[0], f.seq[1] = f.hdr[:size], s
	f.Transport.WriteSequence(f.seq[:])
	f.seq[1] = nil
	return nil
}

// Int8StringReceiver frames strings with a one-byte length prefix (at
// most 255 bytes). Embed it and set Handler. Its PauseProducing pauses
// reading, not writing (see the package documentation, "Pausing").
//
// Its fields come from an unexported framer, so go doc does not list
// them: Handler (a StringHandler) receives the strings, MaxLength is the
// longest accepted (0 or less means DefaultMaxStringLength), and Transport and
// Factory are reactor.BaseProtocol's.
type Int8StringReceiver struct{ intString }

// DataReceived implements reactor.Protocol.
func (f *Int8StringReceiver) DataReceived(data []byte) { f.receive(data, 1) }

// ResumeProducing delivers the strings held back and reads again.
func (f *Int8StringReceiver) ResumeProducing() { f.resume(1) }

// SendString writes s with its length prefix; over 255 bytes it fails
// with ErrFrameTooLong and writes nothing.
func (f *Int8StringReceiver) SendString(s []byte) error { return f.send(s, 1) }

// Int16StringReceiver frames strings with a two-byte big-endian length
// prefix. Embed it and set Handler. Its PauseProducing pauses reading,
// not writing (see the package documentation, "Pausing").
//
// Its fields come from an unexported framer, so go doc does not list
// them: Handler (a StringHandler) receives the strings, MaxLength is the
// longest accepted (0 or less means DefaultMaxStringLength), and Transport and
// Factory are reactor.BaseProtocol's.
type Int16StringReceiver struct{ intString }

// DataReceived implements reactor.Protocol.
func (f *Int16StringReceiver) DataReceived(data []byte) { f.receive(data, 2) }

// ResumeProducing delivers the strings held back and reads again.
func (f *Int16StringReceiver) ResumeProducing() { f.resume(2) }

// SendString writes s with its length prefix; over 65,535 bytes it fails
// with ErrFrameTooLong and writes nothing.
func (f *Int16StringReceiver) SendString(s []byte) error { return f.send(s, 2) }

// Int32StringReceiver frames strings with a four-byte big-endian length
// prefix. Embed it and set Handler. Its PauseProducing pauses reading,
// not writing (see the package documentation, "Pausing").
//
// Its fields come from an unexported framer, so go doc does not list
// them: Handler (a StringHandler) receives the strings, MaxLength is the
// longest accepted (0 or less means DefaultMaxStringLength), and Transport and
// Factory are reactor.BaseProtocol's.
type Int32StringReceiver struct{ intString }

// DataReceived implements reactor.Protocol.
func (f *Int32StringReceiver) DataReceived(data []byte) { f.receive(data, 4) }

// ResumeProducing delivers the strings held back and reads again.
func (f *Int32StringReceiver) ResumeProducing() { f.resume(4) }

// SendString writes s with its length prefix; over 4,294,967,295 bytes it
// fails with ErrFrameTooLong and writes nothing. (The peer's MaxLength,
// DefaultMaxStringLength unless it says otherwise, is usually far lower:
// a string longer than it loses the connection there.)
func (f *Int32StringReceiver) SendString(s []byte) error { return f.send(s, 4) }

var (
	_ reactor.PushProducer = (*Int8StringReceiver)(nil)
	_ reactor.PushProducer = (*Int16StringReceiver)(nil)
	_ reactor.PushProducer = (*Int32StringReceiver)(nil)
)
