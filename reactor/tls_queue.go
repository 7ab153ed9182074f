package reactor

// tlsQueue is plaintext a TLSConn holds before encrypting it: everything
// written while the handshake runs (nothing can be encrypted before it
// is over), and, after it, what WriteShared was given while the TCP
// connection's buffer of records was full, with whatever was written
// behind it (see TLSConn.refill). Write's bytes are copied (the caller
// may reuse them), WriteShared's kept by reference (the caller promised
// not to change them), in the order they came. Keeping shared plaintext
// rather than its records is what makes a peer that does not read cheap:
// its connection holds a reference to a poem served to every client, not
// an encrypted copy of it.
type tlsQueue struct {
	parts [][]byte // parts[head:] wait, the first of them partly sent
	head  int
	n     int  // bytes waiting: what Buffered counts
	own   bool // the last part is a copy of ours, which a Write may extend
}

// maxKeptParts bounds the list of parts a queue keeps for reuse once it
// has emptied.
const maxKeptParts = 8

// add keeps a copy of data.
func (q *tlsQueue) add(data []byte) {
	if k := len(q.parts); q.own && k > q.head {
		q.parts[k-1] = append(q.parts[k-1], data...)
	} else {
		q.push(append([]byte(nil), data...))
		q.own = true
	}
	q.n += len(data)
}

// share keeps data itself; its capacity is cut so that nothing is ever
// appended into the caller's array.
func (q *tlsQueue) share(data []byte) {
	q.push(data[:len(data):len(data)])
	q.own = false
	q.n += len(data)
}

// push appends b to the list, first moving what waits down to its start
// once the parts already sent are half of it: a queue that never quite
// empties (a writer keeping a steady backlog) would otherwise keep a
// slot for every part it ever held. A move copies no more parts than
// were sent since the last one, so it costs a constant per part.
func (q *tlsQueue) push(b []byte) {
	if q.head > 0 && q.head >= len(q.parts)/2 {
		n := copy(q.parts, q.parts[q.head:])
		clear(q.parts[n:]) // the moved parts' old slots: no second reference
		q.parts, q.head = q.parts[:n], 0
	}
	q.parts = append(q.parts, b)
}

// next returns up to limit bytes from the front of the queue, left in it
// (drop removes them once they are encrypted). The queue is not empty.
func (q *tlsQueue) next(limit int) []byte {
	b := q.parts[q.head]
	return b[:min(len(b), limit)]
}

// drop removes k bytes from the front: no more than next returned.
func (q *tlsQueue) drop(k int) {
	q.n -= k
	p := &q.parts[q.head]
	*p = (*p)[k:]
	if len(*p) > 0 {
		return
	}
	*p = nil // neither a shared poem nor our copy stays referenced
	q.head++
	if q.head < len(q.parts) {
		return
	}
	// Empty: the list is reused (no allocation per shared write on a
	// connection whose socket keeps up), unless it grew long.
	q.parts, q.head, q.own = q.parts[:0], 0, false
	if cap(q.parts) > maxKeptParts {
		q.parts = nil
	}
}
