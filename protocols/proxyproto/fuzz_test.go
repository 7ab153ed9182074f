package proxyproto

import (
	"encoding/hex"
	"testing"
)

// FuzzHeader feeds arbitrary bytes, cut at an arbitrary point into two
// reads, to a connection waiting for its header. Whatever arrives, the
// framing stays within its bounds, the outcome does not depend on where
// the bytes were cut, and a connection is either started (once) or
// rejected with an abort, never both and never neither once the framing
// has decided.
func FuzzHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n"), 7)
	f.Add([]byte("PROXY TCP6 2001:db8::7 2001:db8::1 4243 10000\r\nrest"), 0)
	f.Add([]byte("PROXY UNKNOWN\r\n"), 3)
	f.Add(headerV2(f, clientAddr, serverAddr), 13)
	f.Add(headerV2(f, client6, server6), 15)
	f.Add(headerV2(f, nil, nil), 16)
	f.Add([]byte("GET / HTTP/1.1\r\n"), 1)
	fromHAProxy, _ := hex.DecodeString(fromHAProxy) // TLVs, a CRC32C
	f.Add(fromHAProxy, 20)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		res, n := frame(data)
		if res == frameComplete && (n < 1 || n > len(data) || n > MaxHeaderSize) {
			t.Fatalf("frame: complete at %d of %d", n, len(data))
		}
		whole := outcome(data, len(data))
		if cut < 0 {
			cut = -cut
		}
		if len(data) > 0 {
			split := outcome(data, cut%(len(data)+1))
			if split != whole {
				t.Fatalf("%q: whole %+v, cut at %d %+v", data, whole, cut%(len(data)+1), split)
			}
		}
		switch {
		case whole.started && whole.aborted:
			t.Fatalf("%q: started and aborted", data)
		case res == frameMore && (whole.started || whole.aborted):
			t.Fatalf("%q: decided on an incomplete header", data)
		case res != frameMore && !whole.started && !whole.aborted:
			t.Fatalf("%q: framing %d but nothing happened", data, res)
		}
	})
}

type fuzzOutcome struct {
	started, aborted bool
	peer             string
	rest             string
}

// outcome runs data through a fresh connection in two reads, cut at cut.
func outcome(data []byte, cut int) fuzzOutcome {
	h := newHarness()
	h.stayOpen = true // the rest is delivered: compared whole and cut
	// The reactor's buffer is reused after each read: so is this one.
	scratch := make([]byte, len(data))
	for _, part := range [][]byte{data[:cut], data[cut:]} {
		if len(part) == 0 {
			continue
		}
		copy(scratch, part)
		h.p.DataReceived(scratch[:len(part)])
		clear(scratch)
	}
	o := fuzzOutcome{started: h.inner != nil, aborted: h.t.aborted}
	if h.inner != nil {
		o.peer = h.builtFor.String()
		o.rest = string(h.inner.got)
	}
	return o
}
