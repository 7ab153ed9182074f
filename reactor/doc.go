// Package reactor is gyre's event loop: Twisted's reactor (parts 2 to 4 of
// the tutorial) built on golang.org/x/sys/unix, and the TCP transports,
// protocols and factories that run on it (parts 4 to 11).
//
// A reactor waits for two kinds of events, file descriptors becoming ready
// and timers coming due, and runs the callbacks registered for them one at a
// time on a single goroutine, the one that called Run. Nothing runs in
// parallel with anything else, so callbacks share state without locks; the
// price is that a callback that blocks stops the whole program.
//
//	r, err := reactor.New()                 // epoll on Linux, kqueue on BSD/macOS
//	r.CallWhenRunning(func() { fmt.Println("Hello from the reactor loop!") })
//	r.CallLater(2*time.Second, func() { r.Stop() })
//	err = r.Run()                           // returns after Stop
//
// # One turn of the loop
//
// Run first calls the CallWhenRunning functions, then turns the loop until
// Stop:
//
//  1. the functions other goroutines queued with CallFromGoroutine;
//  2. the delayed calls (CallLater) that are due;
//  3. a wait in the backend, for at most the time until the next delayed
//     call (forever if there is none: an idle reactor uses no CPU);
//  4. DoRead and DoWrite for each descriptor the wait reported ready.
//
// Calls scheduled in step 1 or 2 for "now" run on the next turn, after the
// I/O of this one, so a callback rescheduling itself with a zero delay
// cannot starve I/O (Twisted behaves the same).
//
// # Layers
//
// The package is the loop and the transports; what they stand on lives in
// internal packages, so that the tree shows the layers:
//
//   - the waiting layer, reactor/internal/poll: one backend interface and
//     its implementations, one per kernel mechanism and file (select.go,
//     poll_backend.go, epoll_linux.go, kqueue_bsd.go), and the waker. A
//     backend only turns "watch fd for reading/writing" into system calls
//     and reports ready fds; its limits stay inside it (select's
//     FD_SETSIZE reaches the rest only as ErrUnwatchable).
//     New(WithBackend(name)) chooses it, and without that option the
//     environment variable GYRE_REACTOR does (GYRE_REACTOR=poll runs any
//     program on poll, as twistd's --reactor does);
//   - the socket layer, gyre/internal/sock: socket system calls and
//     options, sockaddr conversion, sendfile;
//   - the batching layer, reactor/internal/uring (Linux): a minimal
//     io_uring through which a reactor made WithBatchedIO receives for all
//     the connections one wait reported readable, and sends all of a turn's
//     answers, in one system call each (batch.go, batch_read.go);
//   - the timer heap, gyre/internal/timerheap, shared with task.Clock;
//   - the loop (reactor.go, dispatch.go, descriptor.go, triggers.go,
//     endings.go, goroutine.go, panic.go): the descriptor table with its
//     one registration primitive under AddReader, AddWriter and every
//     transport, the timers, the queue of calls from other goroutines, the
//     system event triggers, and the one guard that contains panics. It
//     knows nothing of TCP: the transports hook in through the triggers
//     and two small services (work finished at the end of a phase, and
//     descriptors held while watched for nothing);
//   - the TCP transport on top (tcp*.go, port.go, connector.go,
//     protocol.go, transport.go, producer.go, filesender.go).
//
// # System event triggers
//
// AddSystemEventTrigger(phase, event, f) runs f Before, During or After
// the reactor's Startup or Shutdown, as Twisted's addSystemEventTrigger
// does; RemoveSystemEventTrigger takes it back. A Before trigger may
// return a Deferred, and the event waits for it (a shutdown at most
// WithShutdownTimeout): say goodbye to clients, flush a log. The reactor's
// own During-shutdown trigger drops every descriptor still registered, so
// a Before-shutdown trigger still finds the connections open.
// CallWhenRunning adds an After-startup trigger.
//
// # TCP: transports, protocols, factories
//
// A server listens with ListenTCP and a Factory; for each connection the
// reactor builds a Protocol (Factory.BuildProtocol), hands it its
// Transport (Protocol.MakeConnection) and says the connection is up
// (Protocol.ConnectionMade); then come DataReceived for each read and one
// ConnectionLost at the end:
//
//	port, err := r.ListenTCP("127.0.0.1:10000", reactor.FactoryFunc(func(net.Addr) reactor.Protocol {
//		return &PoemServer{}
//	}))
//
//	type PoemServer struct{ reactor.BaseProtocol }
//
//	func (p *PoemServer) ConnectionMade() {
//		p.Transport.Write(poem)
//		p.Transport.LoseConnection()
//	}
//
// A Port stops with StopListening, which closes its socket (new clients
// are refused); PauseAccepting leaves the socket open and stops taking
// connections from its queue, where new clients wait until
// ResumeAccepting (port_pause.go): for a server at a limit that cannot
// turn a client away cleanly, as over a Unix socket, which has no reset.
//
// A client connects with ConnectTCP and a ClientFactory, which also hears
// ClientConnectionFailed (with a *ConnectError) and ClientConnectionLost.
// BaseProtocol, BaseFactory and BaseClientFactory are embeddable bases with
// Twisted's defaults.
//
// The transport of every connection is a *Conn, which is also the
// descriptor the reactor watches. Write sends at once what the socket
// takes and buffers only the rest; the connection is watched for
// writability only while something is buffered; LoseConnection closes
// once the buffer has drained (lingering, when the peer may still be
// sending, so that its end of stream is not turned into a reset),
// AbortConnection at once. A protocol whose ConnectionMade writes
// everything and loses the connection is closed without ever being
// registered with the backend.
//
// The slice given to DataReceived is the reactor's read buffer (see
// ReadBuffer): it is valid only during the call.
//
// ConnectionLost is called exactly once per connection, never from inside
// the protocol's own call to LoseConnection or AbortConnection (the reactor
// delivers it when the current callback has returned), with
// ErrConnectionDone for a clean end, ErrConnectionAborted after
// AbortConnection, and otherwise a *ConnectionLostError (which is
// ErrConnectionLost and wraps the errno: ECONNRESET, EPIPE...).
//
// Half-close: by default the peer's end of stream ends the connection. A
// protocol with a ReadConnectionLost method (HalfCloseableProtocol) is
// told instead, and may go on writing until it calls LoseConnection; the
// other way round, LoseWriteConnection (TCPTransport) sends the peer an
// end of stream once the buffer has drained and goes on reading.
//
// Flow control: a Producer registered on a connection writes into it and is
// paced by its buffer (a push producer is paused above a high water mark
// and resumed below a low one; a pull producer is asked for more each time
// the buffer is empty). FileSender streams a file that way, or, on Linux
// over TCP, with sendfile(2) straight from the file to the socket.
//
// Many loops: each reactor runs on one goroutine; WithReusePort lets
// several reactors listen on the same port, so that one process can use
// several cores.
//
// # Beyond TCP: Unix sockets, TLS, UDP and endpoints
//
// Each transport is a file set of its own on the same loop services:
//
//   - unix*.go: ListenUnix and ConnectUnix give the same *Conn as TCP (its
//     reading, writing, producers and closing are shared), with
//     *net.UnixAddr addresses, the socket file's mode, a stale file
//     replaced and a live one never taken over (servers starting at once
//     take turns under a lock on the directory, unix_lock.go), and
//     PeerCredentials.
//   - tls*.go: ListenTLS, ConnectTLS and Conn.StartTLS put a *TLSConn
//     between a *Conn and the protocol. crypto/tls does the TLS over a
//     memory BIO; the records are encrypted and decrypted on the loop,
//     the handshake runs on a goroutine of its own (crypto/tls cannot
//     resume a handshake interrupted by "no more bytes yet") whose writes
//     and outcome come back through CallFromGoroutine. Failures are
//     *TLSError values wrapping crypto/tls's errors. WriteShared's bytes
//     wait as plaintext, by reference, and are encrypted as the socket
//     takes the records (tls_queue.go). Writing allocates nothing per
//     Write; reading allocates a small object per socket read inside
//     crypto/tls (see TLSConn), which gyre does not fork.
//   - udp*.go: ListenUDP runs a DatagramProtocol on a *UDPPort: datagrams
//     in with the sender's address, Write to an address, connected ports
//     and ConnectionRefused, a bounded number of reads per wake-up.
//   - endpoint*.go: Twisted's endpoint strings, parsed once
//     (ParseServerEndpoint, ParseClientEndpoint), and ListenEndpoint and
//     ConnectEndpoint (a Deferred firing with the connected protocol),
//     systemd socket activation included.
//
// # Descriptors and readiness
//
// A descriptor is anything with a file descriptor: a ReadDescriptor is told
// DoRead when its fd is readable, a WriteDescriptor DoWrite when it is
// writable. All backends are level-triggered: a descriptor is reported again
// on every wait for as long as it stays ready. So a reader may read only
// part of what is waiting (one ReadBuffer's worth, say) and will be called
// again on the next turn, after the other ready descriptors have had theirs:
// that is fairness between connections for free. The price is that a writer
// must be removed (RemoveWriter) as soon as it has nothing to write, since
// an idle socket is nearly always writable.
//
// Hang-up and error conditions are handed to the descriptor's own DoRead (or
// DoWrite when it only writes), so its read, write or SO_ERROR says what
// happened (end of file, connection reset, connection refused). When DoRead
// or DoWrite returns an error the reactor removes the descriptor and calls
// its ConnectionLost once, with ErrConnectionDone for io.EOF. A panic in
// either is logged and treated the same way.
//
// Any callback may add or remove descriptors, its own or others. A
// descriptor removed while the current wake-up is being dispatched is not
// dispatched again in it, even if it was reported ready; one added during it
// waits for the next wait. When Run returns, every descriptor still
// registered gets ConnectionLost(ErrConnectionLost), and a connection still
// open is reset, not closed cleanly: its protocol had not ended it, and an
// end of stream would make what the peer got look whole. A protocol that
// panics is reset the same way.
//
// # Addresses and signals
//
// A host name is resolved IPv4 first, as Twisted's resolver does
// (ResolveHost). The API holds no golang.org/x/sys/unix type: the
// tutorial's programs that make their own sockets convert addresses with
// the module's internal socket layer (gyre/internal/sock), the same code
// the reactor uses, so that they connect and listen where the reactor
// would. AddressRepr prints an address as Twisted does.
//
// WithSignalHandling makes SIGINT and SIGTERM stop the reactor, as
// Twisted's reactor.run() does. The handlers are installed by New, so a
// signal that arrives before Run stops the reactor as soon as it runs
// instead of killing the process; they are removed when Run returns (or by
// Close).
//
// # Goroutines
//
// A reactor belongs to the goroutine that runs it. Other goroutines hand it
// work with CallFromGoroutine (wakes a sleeping loop at once, through an
// eventfd on Linux and a pipe elsewhere), end it with Stop, wait for its
// end on Done, and wait for a result produced on the loop with
// BlockingCall. Nothing else is safe to call from them.
//
// The bridges to Go's own ways (context.go, defertogoroutine.go, debug.go):
//
//   - DeferToGoroutine (typed: DeferToGoroutineOf) runs blocking work on a
//     bounded pool of goroutines (WithGoroutinePool;
//     DefaultGoroutinePoolSize) and fires a Deferred on the loop with the
//     result; the pool stops with the reactor.
//   - RunContext runs the loop until a context is done; CancelOnDone
//     cancels a Deferred when one is; BlockingCallContext waits for a
//     result from another goroutine until one is; ConnectTCPContext takes
//     its deadline and cancellation from one, as net.Dialer.DialContext.
//   - BlockingCall on the loop's own goroutine (which would wait for itself
//     forever) returns ErrBlockingCallOnLoop at once.
//   - WithDebug (or GYRE_DEBUG=1) makes the loop-only methods panic, with
//     a message naming the method and the fix, when another goroutine calls
//     them while the reactor runs.
//
// Code written with deferred.Inline runs on a coroutine the loop resumes and
// waits for: it counts as the loop for all of these.
//
// # Panics and logs
//
// A panic in any callback is recovered, logged through log/slog as
// "Unhandled Error" with its traceback (a *deferred.Failure's), and the loop
// goes on. WithLogger chooses the logger; NewTracebackHandler prints records
// the way Twisted prints them on stderr.
//
// # Cost
//
// The hot path allocates nothing and takes no lock: the backend's event
// buffer is reused, a ready fd finds its descriptor by indexing a slice, and
// the kernel is told about interest only when it changes (AddReader on a
// descriptor that is already reading makes no system call). CallLater
// allocates only its *DelayedCall and costs O(log n); a cancelled call
// leaves the heap at once. ReadBuffer gives readers one shared buffer.
//
// A TCP connection costs one 64-byte Conn (the write buffer and the rest
// are allocated only when needed), reading allocates nothing, and serving
// a fast connection allocates the Conn, the protocol and the peer address
// given to BuildProtocol. On Linux the socket calls are raw system calls.
// When the program runs as many loops as it has processors (WithLoops),
// the epoll backend waits by parking the loop goroutine in the Go
// runtime's poller rather than blocking in a system call, because the Go
// scheduler's handling of blocking calls (a monitor thread waking every
// 20 µs, processors handed between threads) then costs a busy server more
// than the calls themselves. Reactors share no state with each other.
package reactor
