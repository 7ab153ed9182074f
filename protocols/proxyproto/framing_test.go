package proxyproto

import (
	"bytes"
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
