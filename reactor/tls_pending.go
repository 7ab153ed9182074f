package reactor

// tlsPending is what a protocol writes while its TLS handshake runs: it
// cannot be encrypted before the handshake is over. Write's bytes are
// copied (the caller may reuse them), WriteShared's kept by reference (the
// caller promised not to change them), in the order they came.
type tlsPending struct {
	parts [][]byte
	n     int  // bytes in all parts: what Buffered counts
	own   bool // the last part is a copy of ours, which a Write may extend
}

// add keeps a copy of data.
func (p *tlsPending) add(data []byte) {
	if k := len(p.parts); p.own && k > 0 {
		p.parts[k-1] = append(p.parts[k-1], data...)
	} else {
		p.parts = append(p.parts, append([]byte(nil), data...))
		p.own = true
	}
	p.n += len(data)
}

// share keeps data itself; its capacity is cut so that nothing is ever
// appended into the caller's array.
func (p *tlsPending) share(data []byte) {
	p.parts = append(p.parts, data[:len(data):len(data)])
	p.own = false
	p.n += len(data)
}

// flush encrypts what waited, in order, once the handshake is over, and
// forgets it.
func (p *tlsPending) flush(t *TLSConn) {
	parts := p.parts
	*p = tlsPending{}
	for _, b := range parts {
		if t.state != tlsOpen {
			return // a write failed and ended the connection
		}
		t.encrypt(b)
	}
}
