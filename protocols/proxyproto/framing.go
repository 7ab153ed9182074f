package proxyproto

import (
	"bytes"
	"encoding/binary"
)

// The two signatures that open a PROXY protocol header.
var (
	sigV1 = []byte("PROXY ")
	sigV2 = []byte("\r\n\r\n\x00\r\nQUIT\n")
)

// Size limits of a header. A v1 header is one line of at most 107 bytes,
// CRLF included (the specification's worst case). A v2 header is 16 bytes
// and the length they announce; the specification allows 65535 bytes of
// addresses and TLVs, this package (like go-proxyproto) accepts
// maxV2Payload, which leaves room for a client certificate TLV.
const (
	maxV1Header  = 107
	v2Prefix     = 16
	maxV2Payload = 4096
	// MaxHeaderSize is the most a connection buffers before its header is
	// complete.
	MaxHeaderSize = v2Prefix + maxV2Payload
)

// frameResult says what the bytes received so far are.
type frameResult int

const (
	frameMore      frameResult = iota // a prefix of a header: wait for more
	frameComplete                     // a whole header, n bytes long
	frameNotHeader                    // not a PROXY header at all
	frameTooLarge                     // a header longer than this package accepts
	frameMalformed                    // a v2 signature, then a fixed part no header has
)

// frame finds the end of the PROXY header at the start of b, which holds
// every byte received so far. It never looks past what a header may span,
// and it decides nothing on a prefix that could still become a header: the
// incremental half of parsing, which the blocking parser of go-proxyproto
// cannot do (it reports a short read as "not a header").
func frame(b []byte) (frameResult, int) {
	switch {
	case hasPrefixOrIsPrefix(b, sigV1):
		if len(b) < len(sigV1) {
			return frameMore, 0
		}
		window := b[:min(len(b), maxV1Header)]
		if i := bytes.IndexByte(window, '\n'); i >= 0 {
			return frameComplete, i + 1
		}
		if len(b) >= maxV1Header {
			return frameTooLarge, 0
		}
		return frameMore, 0
	case hasPrefixOrIsPrefix(b, sigV2):
		if !v2FixedPartValid(b) {
			return frameMalformed, 0
		}
		if len(b) < v2Prefix {
			return frameMore, 0
		}
		n := int(binary.BigEndian.Uint16(b[14:16]))
		if n > maxV2Payload {
			return frameTooLarge, 0
		}
		if len(b) < v2Prefix+n {
			return frameMore, 0
		}
		return frameComplete, v2Prefix + n
	}
	return frameNotHeader, 0
}

// hasPrefixOrIsPrefix reports whether b starts with sig, or is itself the
// start of sig (so more bytes may complete it).
func hasPrefixOrIsPrefix(b, sig []byte) bool {
	n := min(len(b), len(sig))
	return bytes.Equal(b[:n], sig[:n])
}

// v2FixedPartValid reports whether the version and command byte and the
// family byte that follow a v2 signature, as far as b holds them, are
// ones the specification defines (version 2; LOCAL or PROXY; AF_UNSPEC,
// or TCP or UDP over AF_INET, AF_INET6 or AF_UNIX). The receiver must
// reject any other: deciding here, before the length they announce has
// arrived, rejects such a header at once instead of at the timeout.
func v2FixedPartValid(b []byte) bool {
	if len(b) > 12 && b[12] != 0x20 && b[12] != 0x21 {
		return false
	}
	if len(b) > 13 {
		switch b[13] {
		case 0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32:
		default:
			return false
		}
	}
	return true
}
