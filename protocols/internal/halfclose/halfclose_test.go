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
