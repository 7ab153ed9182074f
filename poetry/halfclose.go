package poetry

import (
	"fmt"

	"gyre/reactor"
)

// Every poetry server protocol is a reactor.HalfCloseableProtocol: the
// client has nothing to say, so when it shuts its sending side
// (shutdown(SHUT_WR), as `nc -N` does once its input ends) the server goes
// on sending, and the connection ends when the poem does. A server that
// took the client's end of file for the end of the connection would close
// after whatever the socket had taken so far: a clean close on a partial
// poem, which the client must believe is whole.
var (
	_ reactor.HalfCloseableProtocol = (*fastProtocol)(nil)
	_ reactor.HalfCloseableProtocol = (*fileProtocol)(nil)
	_ reactor.HalfCloseableProtocol = (*slowProtocol)(nil)
)

// sharedWriter is a transport that can send bytes without copying them
// (reactor.Conn.WriteShared).
type sharedWriter interface {
	WriteShared(data []byte)
}

// writeShared writes a part of a poem, which never changes while it is
// served: by reference where the transport can, so that a client that
// does not read holds no copy of what it has not read.
func writeShared(t reactor.Transport, data []byte) {
	if w, ok := t.(sharedWriter); ok {
		w.WriteShared(data)
		return
	}
	t.Write(data)
}

// ShortFileError is the Served.Err of a client of a FileServerFactory
// whose poem file had become shorter than when the factory was made: the
// client got Sent bytes of the Size promised, and its connection was
// aborted (a reset) so that it cannot take them for the whole poem.
type ShortFileError struct {
	Sent, Size int64
}

func (e *ShortFileError) Error() string {
	return fmt.Sprintf("the poem file shrank while being served: sent %d of %d bytes", e.Sent, e.Size)
}
