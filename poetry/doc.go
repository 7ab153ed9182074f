// Package poetry is the poetry layer of gyre: the little protocol of Dave
// Peticolas's Twisted tutorial, in which a client connects to a poetry
// server, the server sends a poem and closes the connection, and the end of
// the connection is the end of the poem. There is no request, no header and
// no framing: a poem is simply every byte that arrives.
//
// It holds the pieces every poetry program shares, whatever abstraction
// level it is written at (plain blocking sockets, a hand-written select
// loop, or the reactor):
//
//   - the project's own poems, embedded in the binary (Poems, Poem), so that
//     servers, demos and tests have something to serve without reading files;
//   - the address syntax of the tutorial's clients (ParseAddress): "10000"
//     means 127.0.0.1:10000, "host:port" is taken as given, and "[::1]:10000"
//     is an IPv6 address;
//   - the way the tutorial prints durations (FormatElapsed), which is
//     Python's str(timedelta): "0:00:10.134220";
//   - how a slow server cuts a poem into sends (ChunkLen): --num-bytes
//     characters at a time, never splitting a UTF-8 character;
//   - the address trivia of the tutorial's programs: the slow servers'
//     greeting (SocketTuple, a Python socket address),
//     and the short reason a program prints for a failure (Reason:
//     "connection refused", not Go's whole error chain).
//
// On the reactor (package reactor), the package also holds the protocol
// itself, both sides:
//
//   - the client: GetPoetry(r, addr) returns a Deferred that fires with the
//     poem (the tutorial's client 4), with a timeout (a *TimeoutError when
//     it runs out), a size limit, a per-chunk observer and an endpoint
//     (tcp:, unix:, tls:) as options; GetPoem is the same download typed
//     (a deferred.Future[string]) and bounded by a context, for Go code
//     written with deferred.Inline; ClientProtocol and ClientFactory are
//     the pieces it is made of, exported for programs that assemble their
//     own client the tutorial's way;
//   - the servers: FastServerFactory (the whole poem at once, then close:
//     twisted-server-1), SlowServerFactory (a few characters every delay,
//     on an absolute schedule, all clients on one timer) and
//     FileServerFactory (a file of any size, streamed with flow control,
//     sendfile(2) on Linux), each able to report every client served
//     (WithServeObserver);
//   - Cummingsify, the unreliable transformation of client 5, with an
//     injectable random source.
//
// Like everything on a reactor, the protocol side belongs to the loop's
// goroutine: GetPoetry and GetPoem are called on it (or before Run), their
// Deferreds fire on it, and the servers' factories, observers and timers
// run on it. The slow server takes a reactor.Clock rather than a reactor,
// so that a test drives it with package reactortest and a task.Clock
// instead of waiting for it.
//
// The package knows nothing about command lines or output formats beyond
// these conventions; the programs under examples/ and cmd/gyre own those.
package poetry
