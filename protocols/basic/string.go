package basic

import "gyre/reactor"

// StringHandler receives the strings of a NetstringReceiver or an
// IntNStringReceiver. s is valid only during the call.
type StringHandler interface {
	StringReceived(s []byte)
}

// InvalidFrameHandler replaces what a string framer does with bad input (a
// string longer than MaxLength, a malformed netstring): by default it
// records the error (Err) and loses the connection. The framer has
// dropped its input and delivers nothing more either way.
type InvalidFrameHandler interface {
	InvalidFrame(err error)
}

// DefaultMaxStringLength is the longest string a string framer accepts
// when its MaxLength is 0 (Twisted's MAX_LENGTH for netstrings and
// length-prefixed strings).
const DefaultMaxStringLength = 99999

// stringFramer is what the string framers share: the handler, the input and
// how a bad frame ends the connection.
type stringFramer struct {
	reactor.BaseProtocol
	// Handler receives the strings.
	Handler StringHandler
	// MaxLength is the longest string accepted; 0 (or less) means
	// DefaultMaxStringLength.
	MaxLength int

	in  stream
	err error
}

func (f *stringFramer) maxLength() int {
	if f.MaxLength <= 0 {
		return DefaultMaxStringLength
	}
	return f.MaxLength
}

// invalid drops the input and reports err to the handler's InvalidFrame,
// or records it and loses the connection.
func (f *stringFramer) invalid(err error) {
	f.in.take()
	f.in.done = true
	if f.err == nil {
		f.err = err
	}
	if h, ok := f.Handler.(InvalidFrameHandler); ok {
		h.InvalidFrame(err)
		return
	}
	if f.Transport != nil {
		f.Transport.LoseConnection()
	}
}

// Err returns why the framer gave up on its input (a string too long, a
// malformed netstring, a missing handler), or nil.
func (f *stringFramer) Err() error { return f.err }

// PauseProducing stops delivering strings at once and stops reading. It
// does not pause the protocol's writes: to pace those, register a
// separate producer value (see the package documentation, "Pausing").
func (f *stringFramer) PauseProducing() {
	f.in.paused = true
	if f.Transport != nil {
		f.Transport.PauseProducing()
	}
}

// StopProducing delivers nothing more and loses the connection.
func (f *stringFramer) StopProducing() { f.LoseConnection() }

// LoseConnection delivers nothing more, even the strings left in the
// current read, and loses the connection. A handler closing the transport
// itself (LoseConnection, AbortConnection: Transport.Disconnecting) stops
// them too, where Twisted's IntNStringReceiver and NetstringReceiver,
// which do not check transport.disconnecting, go on: as the line framers
// do, so that a string handled after a close is never acted on. So does
// a close from outside any handler while paused: ResumeProducing then
// delivers none of the strings held back.
func (f *stringFramer) LoseConnection() {
	f.in.done = true
	if f.Transport != nil {
		f.Transport.LoseConnection()
	}
}

// Buffered returns how many received bytes wait undelivered.
func (f *stringFramer) Buffered() int { return f.in.pending() }
