package halfclose

import (
	"testing"

	"gyre/reactor"
)

type plain struct{ reactor.BaseProtocol }

type readHalf struct {
	plain
	read int
}

func (p *readHalf) ReadConnectionLost() { p.read++ }

type bothHalves struct {
	readHalf
	write int
}

func (p *bothHalves) WriteConnectionLost() { p.write++ }

// The wrapper gets exactly the half-close interfaces of what it wraps, and
// they reach the wrapped protocol.
func TestKeep(t *testing.T) {
	w := &plain{}
	if Keep(w, &plain{}) != reactor.Protocol(w) {
		t.Error("a protocol without half-close got a new wrapper")
	}
	r := &readHalf{}
	k := Keep(w, r)
	if _, ok := k.(interface{ WriteConnectionLost() }); ok {
		t.Error("WriteConnectionLost added where the wrapped protocol has none")
	}
	k.(reactor.HalfCloseableProtocol).ReadConnectionLost()
	b := &bothHalves{}
	kb := Keep(w, b)
	kb.(reactor.HalfCloseableProtocol).ReadConnectionLost()
	kb.(interface{ WriteConnectionLost() }).WriteConnectionLost()
	if r.read != 1 || b.read != 1 || b.write != 1 {
		t.Errorf("forwarded: read %d, %d; write %d", r.read, b.read, b.write)
	}
}

// chooser takes half-closes only when it says so, as a PROXY header reader
// does once it knows its inner protocol.
type chooser struct {
	readHalf
	accepts bool
}

func (c *chooser) AcceptsHalfClose() bool { return c.accepts }

// The wrapper answers the reactor's question as the protocol it wraps
// does. Without AcceptsHalfClose the reactor took the wrapper for a
// protocol that always takes half-closes, so a peer's end of stream went
// to a protocol that had said no and the connection stayed open.
func TestKeepAsksTheSelector(t *testing.T) {
	w := &plain{}
	for _, accepts := range []bool{false, true} {
		c := &chooser{accepts: accepts}
		k := Keep(w, c)
		s, ok := k.(reactor.HalfCloseSelector)
		if !ok {
			t.Fatalf("the wrapper of a selector is %T, no selector", k)
		}
		if s.AcceptsHalfClose() != accepts || Accepts(k) != accepts {
			t.Errorf("inner accepts %v, the wrapper says %v (Accepts %v)", accepts, s.AcceptsHalfClose(), Accepts(k))
		}
	}
	if !Accepts(Keep(w, &readHalf{})) || Accepts(Keep(w, &plain{})) {
		t.Error("Accepts: a half-closeable protocol that does not choose always accepts, another never")
	}
}
