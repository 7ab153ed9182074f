package poetry

import (
	"net"
	"time"

	"gyre/reactor"
)

// FastServerFactory serves its poem the way the tutorial's fastpoetry.py
// does: the whole poem in one write as soon as the client connects, then
// the connection is closed. On a reactor's TCP port a client costs four
// system calls (accept4, write, a read that drops anything the client sent,
// close) when the socket takes the poem at once, and the connection is
// never registered with the backend.
//
// A FastServerFactory holds no per-reactor state: one may serve ports on
// several reactors.
type FastServerFactory struct {
	poem    []byte
	observe func(Served)
}

// NewFastServerFactory returns a factory serving poem (not copied: do not
// change it while serving).
func NewFastServerFactory(poem []byte, opts ...ServerOption) *FastServerFactory {
	cfg := serverOptions(opts)
	return &FastServerFactory{poem: poem, observe: cfg.observe}
}

// BuildProtocol makes the protocol for one client.
func (f *FastServerFactory) BuildProtocol(net.Addr) reactor.Protocol {
	if f.observe != nil {
		return &observedFastProtocol{fastProtocol: fastProtocol{f: f}}
	}
	return &fastProtocol{f: f}
}

// fastProtocol is as small as a protocol can be: the transport and the
// factory (24 bytes).
type fastProtocol struct {
	t reactor.Transport
	f *FastServerFactory
}

func (p *fastProtocol) MakeConnection(t reactor.Transport) { p.t = t }

func (p *fastProtocol) ConnectionMade() {
	writeShared(p.t, p.f.poem)
	p.t.LoseConnection()
}

func (p *fastProtocol) DataReceived([]byte) {} // clients have nothing to say

// ReadConnectionLost: a client that shuts its sending side (nc -N) still
// wants the whole poem (see halfclose.go).
func (p *fastProtocol) ReadConnectionLost() {}

func (p *fastProtocol) ConnectionLost(error) {}

// observedFastProtocol adds what the Served record needs.
type observedFastProtocol struct {
	fastProtocol
	start time.Time
}

func (p *observedFastProtocol) ConnectionMade() {
	p.start = time.Now()
	p.fastProtocol.ConnectionMade()
}

func (p *observedFastProtocol) ConnectionLost(reason error) {
	n := int64(len(p.f.poem))
	p.f.observe(served(p.t, p.start, time.Now(), n, n, reason))
}
