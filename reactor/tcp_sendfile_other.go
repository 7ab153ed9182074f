//go:build !linux

package reactor

import (
	"io"

	"gyre/deferred"
)

// sendfile(2) is used on Linux only; elsewhere FileSender always takes the
// portable producer path.

func (c *Conn) trySendfile(io.Reader) (*deferred.Deferred, bool) { return nil, false }

func (c *Conn) continueTransfer() error { return nil }
