// Package proxyproto reads the PROXY protocol header (versions 1 and 2)
// that a load balancer such as HAProxy sends ahead of each connection it
// forwards, and then hands the connection to the protocol that serves it,
// with the real client's address as its peer.
//
// It is a protocol wrapper, one layer above the reactor's transports: a
// Factory wraps the factory of the protocol being served. Each connection
// first buffers the bytes that arrive (at most MaxHeaderSize) until they
// hold a whole header; only then is the inner protocol built, for the
// client's address, and started. A connection whose first bytes are not a
// PROXY header, whose header is malformed or too large, whose header has
// not arrived within the timeout, or whose peer ends its side before the
// header is complete is aborted (the peer gets a reset) and reported to
// the Factory's reject observer; it never reaches the inner protocol.
//
// Framing and decoding are split. Finding where a header ends in a byte
// stream that arrives in pieces is done here, on the loop, without
// blocking: a v1 header is a line of at most 107 bytes, a v2 header a
// 16-byte prefix and the length it announces. Once the bytes of a whole
// header are in, they are decoded and validated by
// github.com/pires/go-proxyproto, whose parser reads from a blocking
// *bufio.Reader and cannot by itself tell "incomplete" from "malformed" on
// a stream that has not finished arriving (see framing.go). It leaves the
// TLVs of a v2 header unread: they are checked here (each within the
// header, and a CRC32C, if there is one, matching the header), as HAProxy
// checks them, and a header that fails is malformed.
//
// A header with the LOCAL command (v2) or the UNKNOWN family (v1) is what
// the balancer sends for connections of its own, such as health checks:
// the connection is served with its own addresses.
//
// The bytes that followed the header in the read that completed it are
// handed to the inner protocol right after its ConnectionMade, unless that
// closed or aborted the connection. They are handed over even if
// ConnectionMade paused the transport, where without the wrapper nothing
// would be read until the resume: a protocol that pauses there (to wait
// for a backend, say) and is served behind this package must be ready to
// keep what DataReceived brings meanwhile, as LineReceiver does. Holding
// them back would need a transport of the wrapper's own between the inner
// protocol and the connection, hiding the connection's optional methods
// and delivering from inside the protocol's ResumeProducing, outside the
// reactor's guard.
package proxyproto
