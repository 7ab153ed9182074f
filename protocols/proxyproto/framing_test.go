package proxyproto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

func TestFrame(t *testing.T) {
	v1 := []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n")
	v2 := headerV2(t, clientAddr, serverAddr)
	tests := []struct {
		name string
		in   []byte
		res  frameResult
		n    int
	}{
		{"empty", nil, frameMore, 0},
		{"v1 prefix", []byte("PRO"), frameMore, 0},
		{"v1 signature only", []byte("PROXY "), frameMore, 0},
		{"v1 partial line", v1[:30], frameMore, 0},
		{"v1 whole", v1, frameComplete, len(v1)},
		{"v1 and data", append(append([]byte{}, v1...), "tail"...), frameComplete, len(v1)},
		{"v1 no newline in 107", []byte("PROXY " + strings.Repeat("x", 101)), frameTooLarge, 0},
		{"v1 newline at 107", []byte("PROXY " + strings.Repeat("x", 99) + "\r\n"), frameComplete, 107},
		{"v2 prefix", v2[:5], frameMore, 0},
		{"v2 fixed part", v2[:16], frameMore, 0},
		{"v2 whole", v2, frameComplete, len(v2)},
		{"v2 too large", append(append([]byte{}, sigV2...), 0x21, 0x11, 0x10, 0x01), frameTooLarge, 0},
		{"not a header", []byte("GET / HTTP/1.1\r\n"), frameNotHeader, 0},
		{"PROXY without space", []byte("PROXYX"), frameNotHeader, 0},
		{"v2 signature broken", []byte("\r\n\r\n\x00\r\nQUIX"), frameNotHeader, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, n := frame(tc.in)
			if res != tc.res || n != tc.n {
				t.Fatalf("frame(%q) = %d, %d; want %d, %d", tc.in, res, n, tc.res, tc.n)
			}
		})
	}
}

// Every strict prefix of a header is "more", whatever the split: what makes
// the framing safe on a stream that arrives in pieces.
func TestFramePrefixes(t *testing.T) {
	for _, h := range [][]byte{
		[]byte("PROXY TCP6 2001:db8::7 2001:db8::1 4243 10000\r\n"),
		headerV2(t, client6, server6),
		headerV2(t, nil, nil),
	} {
		for i := range len(h) {
			if res, _ := frame(h[:i]); res != frameMore {
				t.Fatalf("prefix %d of %q: %d, want frameMore", i, h, res)
			}
		}
		if res, n := frame(h); res != frameComplete || n != len(h) {
			t.Fatalf("%q: %d, %d", h, res, n)
		}
	}
}

func TestDecode(t *testing.T) {
	var d decoder
	h, err := d.decode([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n"))
	if err != nil || h.local || h.src.String() != "203.0.113.7:4242" || h.dst.String() != "192.0.2.1:10000" {
		t.Fatalf("v1: %+v, %v", h, err)
	}
	h, err = d.decode(headerV2(t, client6, server6))
	if err != nil || h.src.String() != "[2001:db8::7]:4243" || h.version != 2 {
		t.Fatalf("v2: %+v, %v", h, err)
	}
	h, err = d.decode([]byte("PROXY UNKNOWN\r\n"))
	if err != nil || !h.local {
		t.Fatalf("v1 UNKNOWN: %+v, %v", h, err)
	}
	for _, bad := range []string{
		"PROXY TCP4 203.0.113.7 192.0.2.1 4242\r\n",    // a field missing
		"PROXY TCP4 203.0.113.999 192.0.2.1 1 2\r\n",   // not an address
		"PROXY TCP4 203.0.113.7 192.0.2.1 1 99999\r\n", // not a port
		"PROXY TCP4 203.0.113.7 192.0.2.1 1 2\n",       // LF without CR
		"PROXY SCTP 203.0.113.7 192.0.2.1 1 2\r\n",     // no such family
	} {
		if _, err := d.decode([]byte(bad)); !bytes.Contains([]byte(Reason(err)), []byte("malformed")) {
			t.Errorf("%q: %v, want a malformed header", bad, err)
		}
	}
}

// fromHAProxy is the header HAProxy 2.x sent for a client of 127.0.0.1
// with "send-proxy-v2 proxy-v2-options crc32c,unique-id,ssl": a CRC32C, an
// empty unique ID and an SSL TLV after the IPv4 addresses.
const fromHAProxy = "0d0a0d0a000d0a515549540a2111001e7f0000017f000001c0c899f3" +
	"0300041221e8da" + "050000" + "2000050000000000"

// The TLVs of a v2 header must add up to its length, and a CRC32C among
// them must match. go-proxyproto keeps them unread: a vector whose last
// TLV ran past the end of the header, or a header whose checksum was
// wrong, passed for valid, where HAProxy itself rejects both.
func TestDecodeTLVs(t *testing.T) {
	var d decoder
	good, err := hex.DecodeString(fromHAProxy)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := d.decode(good); err != nil || h.src.String() != "127.0.0.1:49352" {
		t.Fatalf("HAProxy's header: %+v, %v", h, err)
	}
	plain := headerV2(t, clientAddr, serverAddr)
	if _, err := d.decode(v2With(plain, 0x05, 0, 2, 'i', 'd')); err != nil {
		t.Fatalf("a unique ID TLV: %v", err)
	}
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-1] ^= 1 // a byte of the SSL TLV: the checksum no longer matches
	for name, b := range map[string][]byte{
		"wrong CRC32C":           badCRC,
		"TLV longer than header": v2With(plain, 0x05, 0, 9, 'i', 'd'),
		"TLV with no length":     v2With(plain, 0x05, 0, 2, 'i', 'd', 0x04),
		"CRC32C of 3 bytes":      v2With(plain, 0x03, 0, 3, 1, 2, 3),
	} {
		if _, err := d.decode(b); Reason(err) != "malformed" {
			t.Errorf("%s: %v, want a malformed header", name, err)
		}
	}
}

// v2With returns the v2 header h with extra appended to its TLVs (and its
// length grown to match).
func v2With(h []byte, extra ...byte) []byte {
	b := append(bytes.Clone(h), extra...)
	binary.BigEndian.PutUint16(b[14:16], uint16(len(b)-v2Prefix))
	return b
}
