package proxyproto

import (
	"errors"
	"net"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"

	"gyre/reactor"
)

func TestHeaderThenInner(t *testing.T) {
	h := newHarness()
	h.stayOpen = true
	if reactor.InnerProtocol(h.p) != h.p {
		t.Error("before the header there is no inner protocol to unwrap to")
	}
	h.p.DataReceived([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\nextra"))
	if h.inner == nil {
		t.Fatal("inner protocol not built")
	}
	if g, ok := reactor.ProtocolAs[*greeter](h.p); !ok || g != h.inner {
		t.Error("the inner protocol cannot be reached from the connection's")
	}
	if h.builtFor.String() != "203.0.113.7:4242" {
		t.Errorf("inner built for %v", h.builtFor)
	}
	if got := string(h.t.written); got != "hello 203.0.113.7:4242\n" {
		t.Errorf("inner wrote %q", got)
	}
	if string(h.inner.got) != "extra" {
		t.Errorf("bytes after the header: %q, want %q", h.inner.got, "extra")
	}
	if pt, ok := h.inner.t.(Proxied); !ok || pt.ProxyPeer() != proxyAddr || pt.Host().String() != "192.0.2.1:10000" {
		t.Errorf("inner transport %T does not tell the proxy's address", h.inner.t)
	}
	if len(h.clock.Pending()) != 0 {
		t.Error("header timer still pending after the header")
	}
	if err := h.lose(errTestLost); err != nil || h.inner.lost != errTestLost {
		t.Errorf("after the header, the loss goes to the inner protocol: rejected %v, inner got %v", err, h.inner.lost)
	}
}

// A header cut into single bytes (a slow but honest sender) is still one
// header.
func TestHeaderByteByByte(t *testing.T) {
	for _, hdr := range [][]byte{
		[]byte("PROXY TCP6 2001:db8::7 2001:db8::1 4243 10000\r\n"),
		headerV2(t, client6, server6, pp.TLV{Type: pp.PP2_TYPE_AUTHORITY, Value: []byte("poems.example")}),
	} {
		h := newHarness()
		for i := range hdr {
			if h.inner != nil {
				t.Fatalf("inner built after %d of %d bytes", i, len(hdr))
			}
			h.p.DataReceived(hdr[i : i+1])
		}
		if h.inner == nil || h.builtFor.String() != "[2001:db8::7]:4243" {
			t.Fatalf("%q: inner %v built for %v", hdr, h.inner, h.builtFor)
		}
	}
}

func TestLocalKeepsTheConnectionsAddress(t *testing.T) {
	for _, hdr := range [][]byte{headerV2(t, nil, nil), []byte("PROXY UNKNOWN\r\n")} {
		h := newHarness()
		h.p.DataReceived(hdr)
		if h.inner == nil || h.builtFor != proxyAddr {
			t.Fatalf("%q: built for %v, want the connection's own peer", hdr, h.builtFor)
		}
		if _, ok := h.inner.t.(Proxied); ok {
			t.Errorf("%q: a LOCAL connection is not proxied", hdr)
		}
	}
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name   string
		feed   func(h *harness)
		want   error
		reason string
	}{
		{"no header", func(h *harness) { h.p.DataReceived([]byte("GET / HTTP/1.0\r\n\r\n")) }, ErrNoHeader, "missing"},
		{"malformed v1", func(h *harness) { h.p.DataReceived([]byte("PROXY TCP4 a b c d\r\n")) }, ErrMalformed, "malformed"},
		{"malformed v2", func(h *harness) {
			b := headerV2(t, clientAddr, serverAddr)
			b[12] = 0x2F // version 2, command 15: no such command
			h.p.DataReceived(b)
		}, ErrMalformed, "malformed"},
		// Known bad from its fixed part, whatever length it announces:
		// rejected at once, not held until the timeout (and then
		// reported as slow).
		{"v2 version 1", func(h *harness) {
			b := headerV2(t, clientAddr, serverAddr)[:v2Prefix]
			b[12], b[14], b[15] = 0x11, 1, 0 // version 1, 256 bytes to come
			h.p.DataReceived(b)
		}, ErrMalformed, "malformed"},
		{"v2 no such family", func(h *harness) {
			b := headerV2(t, clientAddr, serverAddr)[:v2Prefix]
			b[13] = 0x13 // AF_INET, transport 3
			h.p.DataReceived(b)
		}, ErrMalformed, "malformed"},
		{"v1 too long", func(h *harness) {
			h.p.DataReceived([]byte("PROXY TCP4 "))
			for range 20 {
				h.p.DataReceived([]byte("0123456789"))
			}
		}, ErrTooLarge, "malformed"},
		{"slow", func(h *harness) {
			h.p.DataReceived([]byte("PROXY TCP4 203."))
			h.clock.Advance(DefaultTimeout)
		}, ErrTimeout, "timeout"},
		{"silent", func(h *harness) { h.clock.Advance(DefaultTimeout) }, ErrTimeout, "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness()
			tc.feed(h)
			if !h.t.aborted || h.t.closed {
				t.Fatalf("aborted %v, closed %v: a rejected connection is aborted, never closed cleanly", h.t.aborted, h.t.closed)
			}
			if h.inner != nil || len(h.t.written) > 0 {
				t.Fatal("a rejected connection reached the inner protocol")
			}
			h.p.DataReceived([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n"))
			if h.inner != nil {
				t.Fatal("bytes after the rejection started the inner protocol")
			}
			err := h.lose(errTestLost)
			if !errors.Is(err, tc.want) || Reason(err) != tc.reason {
				t.Errorf("rejected with %v (%s), want %v (%s)", err, Reason(err), tc.want, tc.reason)
			}
		})
	}
}

func TestClosedBeforeHeader(t *testing.T) {
	h := newHarness()
	h.p.DataReceived([]byte("PROXY"))
	err := h.lose(errTestLost)
	if !errors.Is(err, ErrClosed) || !errors.Is(err, errTestLost) || Reason(err) != "missing" {
		t.Fatalf("rejected with %v", err)
	}
	if len(h.clock.Pending()) != 0 {
		t.Error("header timer left pending")
	}
	if h.rejects[0].Peer != proxyAddr {
		t.Errorf("rejection names %v, want the connection's peer", h.rejects[0].Peer)
	}
}

func TestWithTimeout(t *testing.T) {
	h := newHarness(WithTimeout(50 * time.Millisecond))
	h.clock.Advance(49 * time.Millisecond)
	if h.t.aborted {
		t.Fatal("aborted before the timeout")
	}
	h.clock.Advance(time.Millisecond)
	if !h.t.aborted {
		t.Fatal("not aborted at the timeout")
	}
}

// A timeout of zero or less is no timeout to enforce: it means the
// default, as a zero MaxLength does in basic. Taken literally it fired at
// once, and every connection was reset before its header could come.
func TestWithTimeoutZeroMeansDefault(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		h := newHarness(WithTimeout(d))
		h.clock.Advance(DefaultTimeout - time.Millisecond)
		if h.t.aborted {
			t.Fatalf("WithTimeout(%v): aborted before DefaultTimeout", d)
		}
		h.clock.Advance(time.Millisecond)
		if !h.t.aborted {
			t.Fatalf("WithTimeout(%v): not aborted at DefaultTimeout", d)
		}
	}
}

// The bytes that followed the header in its read are not handed to an
// inner protocol that closed the connection in ConnectionMade: a
// connection stops reading when asked to close, and an unwrapped one
// would never have delivered them.
func TestNoDataAfterInnerClosed(t *testing.T) {
	for _, abort := range []bool{false, true} {
		h := newHarness()
		h.stayOpen = true
		inner := reactor.FactoryFunc(func(addr net.Addr) reactor.Protocol {
			h.inner = &greeter{stayOpen: true}
			return &closer{greeter: h.inner, abort: abort}
		})
		h.p.f.inner = inner
		h.p.DataReceived([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\nDELETE x\r\n"))
		if h.inner == nil || !h.t.Disconnecting() {
			t.Fatalf("abort %v: inner %v, transport closing %v", abort, h.inner, h.t.Disconnecting())
		}
		if len(h.inner.got) != 0 {
			t.Errorf("abort %v: inner protocol got %q after it closed", abort, h.inner.got)
		}
	}
}

// closer is a greeter that closes (or aborts) its connection in
// ConnectionMade.
type closer struct {
	*greeter
	abort bool
}

func (c *closer) ConnectionMade() {
	if c.abort {
		c.t.AbortConnection()
		return
	}
	c.t.LoseConnection()
}
