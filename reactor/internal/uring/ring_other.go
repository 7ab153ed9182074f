//go:build !linux

package uring

import "errors"

// ErrUnsupported is New's error where the system has no io_uring.
var ErrUnsupported = errors.New("uring: io_uring is not available on this system")

// Ring is never made here: see the Linux implementation.
type Ring struct{}

// New reports ErrUnsupported.
func New(entries uint32) (*Ring, error) { return nil, ErrUnsupported }

// Close does nothing.
func (*Ring) Close() error { return nil }

// Space reports no room.
func (*Ring) Space() int { return 0 }

// PrepSend cannot queue anything.
func (*Ring) PrepSend(fd int, p []byte, flags uint32, tag uint64) bool { return false }

// PrepRecv cannot queue anything.
func (*Ring) PrepRecv(fd int, p []byte, flags uint32, tag uint64) bool { return false }

// Submit has nothing to submit.
func (*Ring) Submit() error { return nil }

// PrepDiscard cannot queue anything.
func (*Ring) PrepDiscard(fd, n int, tag uint64) bool { return false }

// PrepClose cannot queue anything.
func (*Ring) PrepClose(fd int, tag uint64) bool { return false }

// Link does nothing.
func (*Ring) Link(hard bool) {}

// Next has no completion.
func (*Ring) Next() (tag uint64, res int32, ok bool) { return 0, 0, false }

// ShortSendBreaksLink reports false: there is no ring.
func (*Ring) ShortSendBreaksLink() bool { return false }
