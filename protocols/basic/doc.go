// Package basic turns a connection's byte stream into frames: lines,
// netstrings and length-prefixed strings. It is Twisted's
// twisted.protocols.basic on gyre's reactor, one layer above it: a framer
// is a reactor.Protocol whose DataReceived splits the stream and calls the
// user's handler once per frame.
//
// # Shape
//
// Every framer (LineReceiver, LineOnlyReceiver, NetstringReceiver,
// Int8StringReceiver, Int16StringReceiver, Int32StringReceiver) is a struct
// with a working zero value, made to be embedded in the user's protocol
// type, like reactor.BaseProtocol (which each embeds, so Transport is
// there). Go has no virtual dispatch through embedding, so the framer
// cannot call the outer type's methods by itself: its Handler field names
// the receiver of the frames, usually the outer value itself, set when the
// protocol is built:
//
//	type Chat struct{ basic.LineReceiver }
//
//	func NewChat() *Chat { c := &Chat{}; c.Handler = c; return c }
//
//	func (c *Chat) LineReceived(line []byte) { c.SendLine(line) }
//
// Handler may as well be another value (the framer then wraps the user's
// handler). Optional methods on the handler (RawDataReceived,
// LineLengthExceeded, InvalidFrame) are found by type assertion.
//
// # Data lifetime
//
// The slice handed to LineReceived, RawDataReceived or StringReceived is
// valid only during that call, as the one given to DataReceived is: it is
// a window on the reactor's read buffer or on the framer's own buffer,
// both reused. A handler that keeps a frame copies it.
//
// # Bounds and bad input
//
// A framer keeps at most one partial frame between reads, and refuses a
// frame longer than its MaxLength as soon as its length is known (for
// lines: once MaxLength bytes and a delimiter's length more have come
// without a delimiter, as Twisted checks: until then the last bytes may
// be the start of one), so a peer that never ends a frame costs at most
// MaxLength plus one read of memory. Malformed input loses the connection (or calls
// the handler's hook) with an error that says what was wrong (Err); it
// never panics.
//
// # Pausing: reading, not writing
//
// The PauseProducing, ResumeProducing and StopProducing of LineReceiver,
// NetstringReceiver and the IntNStringReceivers pace what the framer
// reads: they make the protocol a push producer of its input, which a
// relay registers on another connection so that that connection's
// buffer paces this one's reading. (LineOnlyReceiver does not pause.) A
// protocol that embeds one of them and also wants its own writes paced
// by its connection's buffer must not register itself as that
// connection's producer: the transport would then call the framer's
// methods, which pause reading and leave the writes going; and methods
// of the same names declared on the outer type, to pause its writes,
// would hide the framer's from the relay. The producer of its writes is
// a separate value, holding a pointer back to the protocol:
//
//	type Feed struct {
//		basic.LineReceiver
//		out feedWriter // the producer of what Feed writes
//	}
//
//	type feedWriter struct {
//		f      *Feed
//		paused bool
//	}
//
//	func (w *feedWriter) PauseProducing()  { w.paused = true }
//	func (w *feedWriter) ResumeProducing() { w.paused = false; w.f.writeMore() }
//	func (w *feedWriter) StopProducing()   { w.f.left = 0 }
//
//	func (f *Feed) ConnectionMade() { f.Transport.RegisterProducer(&f.out, true) }
//
// (ExampleLineReceiver_producer has it whole.)
//
// # Closing
//
// Once the connection is closing (the framer's LoseConnection or
// StopProducing, or the transport's: whatever makes
// reactor.Transport.Disconnecting true), a framer delivers nothing more:
// not the frames left in the read a handler closed it from, nor those held
// back by a pause when it is closed from elsewhere and then resumed, nor
// any data it is fed afterwards. A frame handled is never one that came
// after the close. The check is one call per frame and per read.
//
// # Cost
//
// Frames are delivered straight from the read when they are whole in it,
// and only a partial frame is copied; in steady state a frame costs no
// allocation, receiving or sending (SendLine and SendString make one
// WriteSequence from a scratch header).
package basic
