package proxyproto

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// The TLVs of a v2 header follow its address block: a type byte, a
// two-byte length and that many bytes of value, to the end of the header.
// go-proxyproto keeps them unread, so a header whose vector does not add
// up (a length past the end, a type with no length) passed for valid.
// HAProxy rejects such a header, and so does checkTLVs, which also checks
// the header's CRC32C when it carries one: the specification says a
// receiver that can check it must.
const (
	tlvCRC32C  = 0x03 // PP2_TYPE_CRC32C: a CRC32c of the whole header
	tlvHeader  = 3    // type and length
	crc32cSize = 4
)

// addressBlock is the size of a v2 header's address block, by the high
// nibble of its family byte (AF_INET, AF_INET6, AF_UNIX); 0 for AF_UNSPEC.
var addressBlock = [4]int{0x0: 0, 0x1: 12, 0x2: 36, 0x3: 216}

var (
	errTruncatedTLV = errors.New("truncated TLV")
	errBadCRC32C    = errors.New("CRC32C checksum mismatch")
	castagnoli      = crc32.MakeTable(crc32.Castagnoli)
)

// checkTLVs checks the TLV vector of b, a whole v2 header whose fixed part
// go-proxyproto has accepted (its family is one of those four).
func checkTLVs(b []byte) error {
	i := v2Prefix + addressBlock[(b[13]>>4)&3]
	for i < len(b) {
		if len(b)-i < tlvHeader {
			return errTruncatedTLV
		}
		typ, n := b[i], int(binary.BigEndian.Uint16(b[i+1:i+3]))
		value := i + tlvHeader
		if n > len(b)-value {
			return errTruncatedTLV
		}
		if typ == tlvCRC32C && !crc32cMatches(b, value, n) {
			return errBadCRC32C
		}
		i = value + n
	}
	return nil
}

// crc32cMatches reports whether the CRC32C TLV whose value is b[at:at+n]
// holds the checksum of b computed with that value zeroed, as the
// specification defines it.
func crc32cMatches(b []byte, at, n int) bool {
	if n != crc32cSize {
		return false
	}
	var zero [crc32cSize]byte
	sum := crc32.Update(0, castagnoli, b[:at])
	sum = crc32.Update(sum, castagnoli, zero[:])
	sum = crc32.Update(sum, castagnoli, b[at+crc32cSize:])
	return sum == binary.BigEndian.Uint32(b[at:])
}
