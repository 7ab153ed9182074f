// Package wire holds the smallest useful servers: Echo, which writes back
// every byte it reads (Twisted's twisted.protocols.wire.Echo), and
// LineEcho, which does the same line by line on top of
// protocols/basic.LineReceiver. They are what `gyre echo` and `gyre lines`
// serve, and what the load benchmarks (bench/run E1-E3) measure of the
// library's general request/response path: a read, the protocol's
// callback, a write.
//
// # Cost per request
//
// Both allocate nothing per read once a connection is up. Echo makes one
// write(2) per read. LineEcho gathers the answers to every line of one
// read into a buffer its factory owns (one per reactor, since a reactor
// runs one callback at a time) and writes them with one write(2) when the
// read has been framed, so sixteen pipelined lines cost one system call,
// not sixteen.
//
// # Nagle
//
// Serve them on a port opened with reactor.WithNoDelay (gyre echo and gyre
// lines do). With Nagle's algorithm on, a request that arrives in two
// reads is answered in two writes, and the second waits for the client to
// acknowledge the first: the client delays that ACK (up to 40 ms on
// Linux) while it waits for the rest of its answer.
//
// # Bounds
//
// An echo server's output is its input, so a client that writes without
// reading would grow the server's write buffer without end. The first
// time a write is left partly unsent, the protocol registers its
// transport as its own push producer: above the transport's high water
// mark the connection stops reading (and the client's writes block in
// its kernel) until the buffer drains below the low one. Connections
// whose writes always go straight out never pay for that registration.
package wire
