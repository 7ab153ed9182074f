// Package portforward relays TCP connections: Twisted's
// twisted.protocols.portforward on gyre's reactor. A Factory listening on
// a port connects each client it accepts to a target address and copies
// bytes both ways until either side ends.
//
// The relay keeps nothing it does not have to. Each side's transport is
// the other side's streaming producer: when the client reads slowly and
// the relay's buffer toward it passes the high water mark, the reactor
// pauses reading from the target (and the target's sends back up into its
// own kernel buffers), and resumes it once the buffer has drained. So the
// relay holds at most the high water mark plus one read per direction,
// however fast one end writes and however slowly the other reads.
//
// Until the target has answered, what the client sends is kept, up to 64
// KiB (the client is then no longer read from), and relayed once it does,
// with the client's half-close if one came. Reading on meanwhile is what
// makes a client that resets noticed at once: the attempt is abandoned,
// not left to run to the connect timeout. (A client that closes looks
// like one that half-closed and waits for the answer, so its request
// still goes to the target.)
//
// Endings pass through:
//
//   - a half-close (the peer shut its write side, as nc -N does) becomes a
//     shutdown of the write side toward the other end, which may go on
//     answering; the relay ends when both directions have ended. (A close
//     and a half-close look the same from the other end of a TCP
//     connection: a target that closes leaves the client's direction open
//     until the client closes too, or sends something, which the closed
//     target then resets.)
//   - a clean end of either connection closes the other once what was
//     relayed to it has been sent;
//   - a reset, or any error, aborts the other connection (it gets a reset
//     too): a relayed stream that was cut short never looks complete.
//
// Like the rest of gyre, a relay runs on the reactor's goroutine and costs
// no goroutine of its own.
package portforward
