// Package policies holds what a server wants around its protocols without
// writing it into each: idle timeouts, connection limits and bandwidth
// throttling. It is Twisted's twisted.protocols.policies on gyre's reactor.
//
//   - Timeout (Twisted's TimeoutMixin) is embedded in a protocol: it calls
//     the protocol's timeout function when the connection has been idle
//     for a period, on a reactor.Clock, so that tests drive it with
//     task.Clock instead of waiting.
//   - IdleTimeout wraps a factory so that each of its connections is lost
//     after a period without activity (no input from the peer and no write
//     by the protocol: a server streaming to a silent peer is not idle),
//     for protocols that know nothing of it.
//   - Limit wraps a factory with a limit on its open connections, in total
//     and per peer address; connections beyond it are refused at once and
//     counted.
//   - Throttle wraps a factory with read and write bandwidth limits shared
//     by all its connections, enforced by pausing and resuming transports
//     and producers (the reactor's own flow control), with one timer and no
//     goroutine.
//
// The wrappers pass the very transport the reactor made to the wrapped
// protocol (so a protocol may still assert *reactor.Conn), except Throttle,
// which must see the writes: its protocols get a transport that counts them
// (a reactor.TCPTransport when the connection is one, with the connection's
// Buffered and SetWriteBufferLimits when it has them), and a file sent with
// reactor.FileSender goes through it in chunks, not with sendfile(2). A
// connection's protocol (Conn.Protocol, Reactor.Connections) is then the
// wrapper, a reactor.ProtocolWrapper: reactor.ProtocolAs finds the wrapped
// one, and log records name it. A wrapped protocol that is a
// reactor.HalfCloseableProtocol stays one, and one that is a
// reactor.HalfCloseSelector (a proxyproto connection) still chooses.
//
// Everything here runs on the reactor's goroutine.
package policies
