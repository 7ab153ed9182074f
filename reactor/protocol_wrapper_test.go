package reactor

import (
	"strings"
	"testing"
)

// wrapping is a protocol wrapper, as the policies' are.
type wrapping struct {
	BaseProtocol
	inner Protocol
}

func (w *wrapping) Unwrap() Protocol { return w.inner }

type mine struct{ BaseProtocol }

func TestInnerProtocolAndProtocolAs(t *testing.T) {
	m := &mine{}
	outer := &wrapping{inner: &wrapping{inner: m}}
	if InnerProtocol(outer) != m || InnerProtocol(m) != m {
		t.Errorf("InnerProtocol: %T", InnerProtocol(outer))
	}
	if got, ok := ProtocolAs[*mine](outer); !ok || got != m {
		t.Errorf("ProtocolAs[*mine]: %v %v", got, ok)
	}
	if got, ok := ProtocolAs[*wrapping](outer); !ok || got != outer {
		t.Errorf("ProtocolAs[*wrapping] must find the outermost first: %v", got)
	}
	if _, ok := ProtocolAs[*recorder](outer); ok {
		t.Error("ProtocolAs found a type that is not there")
	}
	// A wrapper that has chosen nothing yet is the innermost.
	empty := &wrapping{}
	if InnerProtocol(empty) != empty {
		t.Error("InnerProtocol went past a wrapper with nothing inside")
	}
	// A wrapper that returns itself ends the walk.
	self := &wrapping{}
	self.inner = self
	if InnerProtocol(self) != self {
		t.Error("a self-wrapping protocol")
	}
	if _, ok := ProtocolAs[*mine](self); ok {
		t.Error("ProtocolAs through a cycle")
	}
}

// A connection's log prefix names the protocol its code is about, not the
// wrapper in front of it.
func TestLogPrefixNamesTheInnerProtocol(t *testing.T) {
	c := &Conn{proto: &wrapping{inner: &mine{}}}
	if p := c.LogPrefix(); !strings.HasPrefix(p, "*reactor.mine,") {
		t.Errorf("LogPrefix %q", p)
	}
}
