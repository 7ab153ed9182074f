package reactor

// WriteCounter is a transport that counts what its protocol writes: the
// count changes with every Write, WriteSequence or WriteShared, and as a
// file sent by FileSender makes progress. It tells a connection that is
// busy sending from one that is idle without standing between the
// protocol and its transport (policies.IdleTimeout reads it once per
// period). The count wraps around at 2^32; only whether it changed means
// anything.
//
// *Conn and *TLSConn are WriteCounters. A transport that wraps another
// one (reactor.TransportWrapper) is looked through by those who look for
// one.
type WriteCounter interface {
	WriteCount() uint32
}

// WriteCount implements WriteCounter. It costs the connection nothing: an
// increment per write, in the room Conn's fields leave unused.
func (c *Conn) WriteCount() uint32 { return c.writes }

// WriteCount implements WriteCounter: the protocol's writes, counted as
// they are made (those that wait in the plaintext queue too, which the
// connection beneath does not see yet), plus the records that connection
// writes (the handshake's, and the queue's as it is encrypted: progress,
// as a file's is over TCP). Both only grow, so the sum changes whenever
// either does.
func (t *TLSConn) WriteCount() uint32 { return t.writes + t.conn.WriteCount() }

// WriteCounterOf returns the WriteCounter t is, or wraps (through
// TransportWrapper, a few levels at most), or nil.
func WriteCounterOf(t Transport) WriteCounter {
	for range 8 {
		if wc, ok := t.(WriteCounter); ok {
			return wc
		}
		w, ok := t.(TransportWrapper)
		if !ok {
			return nil
		}
		t = w.Unwrap()
	}
	return nil
}

var (
	_ WriteCounter = (*Conn)(nil)
	_ WriteCounter = (*TLSConn)(nil)
)
